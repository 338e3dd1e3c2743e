using System.Text;
using Depot.Ci.V1;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Services.Ci;

internal sealed partial class CiServiceHandler
{
    private Task<GetFailureDiagnosisResponse> GetFailureDiagnosis(GetFailureDiagnosisRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var id = Require(request.TargetId, "target_id");
        var (run, failures, status, ctx) = request.TargetType switch
        {
            FailureDiagnosisTargetType.Run => Diagnose(engine.Run(org, id), null, null, null),
            FailureDiagnosisTargetType.Workflow => Diagnose(engine.Workflow(org, id).Run, id, null, null),
            FailureDiagnosisTargetType.Job => Diagnose(engine.Job(org, id).Run, null, id, null),
            FailureDiagnosisTargetType.Attempt => Diagnose(engine.Attempt(org, id).Run, null, null, id),
            _ => throw DepotErrors.Invalid("target_type must be run, workflow, job or attempt"),
        };
        return Task.FromResult(CiDiagnosis.Build(run, failures, request.TargetType, id, status, ctx));
    }

    private (RunView, IReadOnlyList<FailedAttempt>, string, (WorkflowView? W, JobView? J, CiAttempt? A)) Diagnose(
        RunView run, string? workflowId, string? jobId, string? attemptId)
    {
        var failures = engine.Failures(run, workflowId, jobId, attemptId);
        var workflow = run.Workflows.FirstOrDefault(w => w.Workflow.Id == workflowId || w.Jobs.Any(j => j.Job.Id == jobId || j.Attempts.Any(a => a.Id == attemptId)));
        var job = workflow?.Jobs.FirstOrDefault(j => j.Job.Id == jobId || j.Attempts.Any(a => a.Id == attemptId));
        var attempt = job?.Attempts.FirstOrDefault(a => a.Id == attemptId);
        var status = attempt?.Status ?? job?.Job.Status ?? (workflowId is null ? run.Run.Status : workflow!.Workflow.Status);
        return (run, failures, status, (workflow, job, attempt));
    }

    private Task<GetJobSummaryResponse> GetJobSummary(GetJobSummaryRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var (run, workflow, job, attempt) = request.AttemptId.Length > 0
            ? engine.Attempt(org, request.AttemptId)
            : engine.Job(org, Require(request.JobId, "job_id or attempt_id")) is var (r, w, j)
                ? (r, w, j, j.Latest ?? throw DepotErrors.Precondition($"job {request.JobId} has not started an attempt yet"))
                : default;
        var plan = engine.Plan(workflow, job, attempt, run);
        var markdown = new StringBuilder($"### {job.Job.DisplayName}\n\n| Step | Result | Duration |\n|---|---|---|\n");
        var now = engine.Now;
        foreach (var step in plan.Steps)
        {
            var result = !step.Runs ? "skipped" : step.Failure is not null && step.End <= now ? "failed" : step.End <= now ? "passed" : "running";
            markdown.Append($"| {step.Step.Name} | {result} | {(step.End - step.Start).TotalSeconds:0.#}s |\n");
        }

        return Task.FromResult(new GetJobSummaryResponse
        {
            OrgId = org, RunId = run.Run.Id, WorkflowId = workflow.Workflow.Id, JobId = job.Job.Id, AttemptId = attempt.Id,
            Attempt = attempt.Number, JobStatus = job.Job.Status, AttemptStatus = attempt.Status, HasSummary = true,
            StepCount = (uint)plan.Steps.Count, Markdown = markdown.ToString(),
        });
    }

    private Task<ListArtifactsResponse> ListArtifacts(ListArtifactsRequest request, ConnectCallContext context)
    {
        var run = engine.Run(Org(context), Require(request.RunId, "run_id"));
        var artifacts = CiArtifacts.Of(engine, run)
            .Where(a => !request.HasWorkflowId || a.WorkflowId == request.WorkflowId)
            .Where(a => !request.HasJobId || a.JobId == request.JobId)
            .Where(a => !request.HasAttemptId || a.AttemptId == request.AttemptId)
            .ToList();
        var (page, next) = Paging.Page(artifacts, request.PageSize, request.PageToken);
        var response = new ListArtifactsResponse { NextPageToken = next ?? "" };
        response.Artifacts.Add(page);
        return Task.FromResult(response);
    }

    private Task<GetArtifactDownloadURLResponse> GetArtifactDownloadUrl(GetArtifactDownloadURLRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var id = Require(request.ArtifactId, "artifact_id");
        var artifact = CiArtifacts.Find(engine, org, id) ?? throw DepotErrors.NotFound("artifact", id);
        return Task.FromResult(new GetArtifactDownloadURLResponse
        {
            Artifact = artifact, Url = $"{urls.Base(context.HttpContext)}/_emulator/ci/artifacts/{org}/{id}",
            ExpiresAt = CiMapping.Time(engine.Now.AddHours(1)),
        });
    }
}
