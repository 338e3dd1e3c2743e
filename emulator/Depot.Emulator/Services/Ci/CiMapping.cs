using System.Globalization;
using Depot.Ci.V1;
using Depot.Emulator.Domain.Ci;

namespace Depot.Emulator.Services.Ci;

/// <summary>Depot CI's records as <c>depot.ci.v1</c> messages; CI times are RFC 3339 strings, empty when unset.</summary>
internal static class CiMapping
{
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) : "";

    public static GetRunResponse ToGetRun(RunView view) => new()
    {
        OrgId = view.Run.OrganizationId, RunId = view.Run.Id, Repo = view.Run.Repo, Ref = view.Run.Ref, Sha = view.Run.Sha,
        HeadSha = view.Run.Sha, Trigger = view.Run.Trigger, Status = view.Run.Status, CreatedAt = Time(view.Run.CreatedAt),
        StartedAt = Time(view.Run.StartedAt), FinishedAt = Time(view.Run.FinishedAt),
    };

    public static GetRunStatusResponse ToRunStatus(RunView view)
    {
        var response = new GetRunStatusResponse { OrgId = view.Run.OrganizationId, RunId = view.Run.Id, Status = view.Run.Status };
        foreach (var workflow in view.Workflows)
        {
            var status = new WorkflowStatus
            {
                WorkflowId = workflow.Workflow.Id, Status = workflow.Workflow.Status, WorkflowPath = workflow.Workflow.Path,
                Name = workflow.Workflow.Name, ErrorMessage = workflow.Workflow.ErrorMessage ?? "",
            };
            foreach (var job in workflow.Jobs)
            {
                var jobStatus = new JobStatus { JobId = job.Job.Id, JobKey = job.Job.Key, Status = job.Job.Status, JobDisplayName = job.Job.DisplayName };
                jobStatus.Attempts.Add(job.Attempts.Select(a => new AttemptStatus { AttemptId = a.Id, Attempt = a.Number, Status = a.Status }));
                status.Jobs.Add(jobStatus);
            }

            response.Workflows.Add(status);
        }

        return response;
    }

    public static GetWorkflowResponse ToGetWorkflow(RunView run, WorkflowView view)
    {
        var w = view.Workflow;
        var response = new GetWorkflowResponse
        {
            OrgId = run.Run.OrganizationId, RunId = run.Run.Id, Repo = run.Run.Repo, Ref = run.Run.Ref, Sha = run.Run.Sha,
            HeadSha = run.Run.Sha, Trigger = run.Run.Trigger, RunStatus = run.Run.Status, RunCreatedAt = Time(run.Run.CreatedAt),
            RunStartedAt = Time(run.Run.StartedAt), RunFinishedAt = Time(run.Run.FinishedAt), WorkflowId = w.Id,
            WorkflowName = w.Name, WorkflowPath = w.Path, WorkflowStatus = w.Status, WorkflowErrorMessage = w.ErrorMessage ?? "",
            WorkflowCreatedAt = Time(w.CreatedAt), WorkflowStartedAt = Time(view.Jobs.Select(j => j.Job.StartedAt).Where(t => t is not null).Min()),
            WorkflowFinishedAt = Time(w.FinishedAt),
        };
        response.Executions.Add(new GetWorkflowExecution
        {
            ExecutionId = $"{w.Id}-{w.Execution}", Execution = w.Execution, Status = w.Status, CreatedAt = Time(w.CreatedAt),
            StartedAt = Time(w.StartedAt), FinishedAt = Time(w.FinishedAt),
        });
        foreach (var job in view.Jobs)
        {
            var j = new GetWorkflowJob
            {
                JobId = job.Job.Id, JobKey = job.Job.Key, Status = job.Job.Status, StartedAt = Time(job.Job.StartedAt),
                FinishedAt = Time(job.Job.FinishedAt), JobDisplayName = job.Job.DisplayName,
            };
            j.Attempts.Add(job.Attempts.Select(a => new GetWorkflowJobAttempt
            {
                AttemptId = a.Id, Attempt = a.Number, Status = a.Status, StartedAt = Time(a.StartedAt), FinishedAt = Time(a.FinishedAt),
            }));
            response.Jobs.Add(j);
        }

        return response;
    }

    public static LogLine ToLogLine(CiLogLine line) => new()
    {
        StepKey = line.StepKey, StepId = line.StepKey, StepName = line.StepName, TimestampMs = line.Timestamp.ToUnixTimeMilliseconds(),
        LineNumber = (uint)line.Number, Stream = (uint)line.Stream, Body = line.Body,
    };
}
