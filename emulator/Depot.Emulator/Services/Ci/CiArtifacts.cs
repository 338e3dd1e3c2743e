using System.Text;
using Depot.Ci.V1;
using Depot.Emulator.Domain.Ci;

namespace Depot.Emulator.Services.Ci;

/// <summary>
/// Artifacts of simulated jobs: each <c>actions/upload-artifact</c> step that ran in an ended attempt leaves one,
/// named by its <c>with.name</c>, whose content is a fixed text, so ids, sizes and bytes repeat from run to run.
/// </summary>
internal static class CiArtifacts
{
    public static IEnumerable<Artifact> Of(CiEngine engine, RunView run)
    {
        foreach (var workflow in run.Workflows)
        {
            foreach (var job in workflow.Jobs)
            {
                foreach (var attempt in job.Attempts.Where(a => CiStatus.IsTerminal(a.Status) && a.FinishedAt is not null))
                {
                    var plan = engine.Plan(workflow, job, attempt, run);
                    foreach (var step in plan.Steps.Where(s => s.Runs && s.End <= attempt.FinishedAt && IsUpload(s.Step)))
                    {
                        var name = step.Step.With.GetValueOrDefault("name", "artifact");
                        yield return new Artifact
                        {
                            ArtifactId = $"{attempt.Id}.{step.Step.Index}", RunId = run.Run.Id, WorkflowId = workflow.Workflow.Id,
                            WorkflowPath = workflow.Workflow.Path, JobId = job.Job.Id, JobKey = job.Job.Key, AttemptId = attempt.Id,
                            Attempt = attempt.Number, Name = name, SizeBytes = Content(name, job.Job.Key).Length, CreatedAt = CiMapping.Time(step.End),
                        };
                    }
                }
            }
        }
    }

    public static Artifact? Find(CiEngine engine, string organizationId, string artifactId)
    {
        var dot = artifactId.LastIndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        try
        {
            var (run, _, _, _) = engine.Attempt(organizationId, artifactId[..dot]);
            return Of(engine, run).FirstOrDefault(a => a.ArtifactId == artifactId);
        }
        catch (Domain.Errors.DepotException)
        {
            return null;
        }
    }

    public static byte[] Content(string name, string jobKey) => Encoding.UTF8.GetBytes($"artifact {name} uploaded by job {jobKey}\n");

    private static bool IsUpload(StepDefinition step) =>
        step.Uses is { } uses && uses.StartsWith("actions/upload-artifact", StringComparison.OrdinalIgnoreCase);
}
