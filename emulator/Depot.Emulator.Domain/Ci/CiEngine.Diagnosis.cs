namespace Depot.Emulator.Domain.Ci;

public sealed partial class CiEngine
{
    public const int RelevantLineLimit = 10;

    /// <summary>The failed latest attempts of the jobs in <paramref name="run"/> (narrowed to a workflow, job or attempt).</summary>
    public IReadOnlyList<FailedAttempt> Failures(RunView run, string? workflowId = null, string? jobId = null, string? attemptId = null)
    {
        var result = new List<FailedAttempt>();
        foreach (var workflow in run.Workflows.Where(w => workflowId is null || w.Workflow.Id == workflowId))
        {
            foreach (var job in workflow.Jobs.Where(j => jobId is null || j.Job.Id == jobId))
            {
                var attempt = attemptId is null ? job.Latest : job.Attempts.FirstOrDefault(a => a.Id == attemptId);
                if (attempt is null || attempt.Status != CiStatus.Failed)
                {
                    continue;
                }

                var lines = store.Logs(attempt.Id, 0, options.MaxLogLinesPerAttempt);
                var fromStep = lines.Where(l => l.StepName == attempt.FailedStep).ToList();
                var relevant = (fromStep.Count > 0 ? fromStep : lines.ToList()).TakeLast(RelevantLineLimit).ToList();
                result.Add(new FailedAttempt(run, workflow, job, attempt, attempt.FailedStep ?? "", attempt.ErrorMessage ?? "the job failed", relevant));
            }
        }

        return result;
    }
}
