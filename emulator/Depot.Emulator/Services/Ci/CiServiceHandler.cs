using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Ci.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Services.Ci;

/// <summary><c>depot.ci.v1.CIService</c>: runs, their workflows, jobs and attempts, logs and what is learned from them.</summary>
internal sealed partial class CiServiceHandler(CiEngine engine, CiRepositories repositories, CiLogStreams streams, PublicUrls urls) : IConnectService
{
    private static readonly ServiceDescriptor Service = CiReflection.Descriptor.FindTypeByName<ServiceDescriptor>("CIService");

    private static MethodDescriptor Method(string name) => Service.FindMethodByName(name);

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<RunRequest, RunResponse>(Method("Run"), Run)
        .Unary<DispatchWorkflowRequest, DispatchWorkflowResponse>(Method("DispatchWorkflow"), DispatchWorkflow)
        .Unary<RetryJobRequest, RetryJobResponse>(Method("RetryJob"), RetryJob)
        .Unary<RerunWorkflowRequest, RerunWorkflowResponse>(Method("RerunWorkflow"), RerunWorkflow)
        .Unary<RetryFailedJobsRequest, RetryFailedJobsResponse>(Method("RetryFailedJobs"), RetryFailedJobs)
        .Unary<CancelJobRequest, CancelJobResponse>(Method("CancelJob"), CancelJob)
        .Unary<CancelWorkflowRequest, CancelWorkflowResponse>(Method("CancelWorkflow"), CancelWorkflow)
        .Unary<GetRunRequest, GetRunResponse>(Method("GetRun"), GetRun)
        .Unary<CancelRunRequest, CancelRunResponse>(Method("CancelRun"), CancelRun)
        .Unary<GetRunStatusRequest, GetRunStatusResponse>(Method("GetRunStatus"), GetRunStatus)
        .Unary<GetWorkflowRequest, GetWorkflowResponse>(Method("GetWorkflow"), GetWorkflow)
        .Unary<GetFailureDiagnosisRequest, GetFailureDiagnosisResponse>(Method("GetFailureDiagnosis"), GetFailureDiagnosis)
        .Unary<GetJobAttemptMetricsRequest, GetJobAttemptMetricsResponse>(Method("GetJobAttemptMetrics"), GetJobAttemptMetrics)
        .Unary<GetJobMetricsRequest, GetJobMetricsResponse>(Method("GetJobMetrics"), GetJobMetrics)
        .Unary<GetRunMetricsRequest, GetRunMetricsResponse>(Method("GetRunMetrics"), GetRunMetrics)
        .Unary<GetJobSummaryRequest, GetJobSummaryResponse>(Method("GetJobSummary"), GetJobSummary)
        .Unary<ListArtifactsRequest, ListArtifactsResponse>(Method("ListArtifacts"), ListArtifacts)
        .Unary<GetArtifactDownloadURLRequest, GetArtifactDownloadURLResponse>(Method("GetArtifactDownloadURL"), GetArtifactDownloadUrl)
        .Unary<GetJobAttemptLogsRequest, GetJobAttemptLogsResponse>(Method("GetJobAttemptLogs"), GetJobAttemptLogs)
        .ServerStreaming<StreamJobAttemptLogsRequest, StreamJobAttemptLogsResponse>(Method("StreamJobAttemptLogs"), StreamJobAttemptLogs)
        .ServerStreaming<ExportJobAttemptLogsRequest, ExportJobAttemptLogsResponse>(Method("ExportJobAttemptLogs"), ExportJobAttemptLogs)
        .Unary<ListRunsRequest, ListRunsResponse>(Method("ListRuns"), ListRuns)
        .Unary<ListWorkflowsRequest, ListWorkflowsResponse>(Method("ListWorkflows"), ListWorkflows);

    private static string Org(ConnectCallContext context) => context.Access().ScopedOrganization(context.DepotOrg()).Id;

    private static string Require(string value, string field) => string.IsNullOrEmpty(value) ? throw DepotErrors.Required(field) : value;

    private Task<RunResponse> Run(RunRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        Require(request.Repo, "repo");
        if (request.HasWorkspacePatchCacheKey && request.WorkspacePatchCacheKey.Length > 0)
        {
            throw DepotErrors.Precondition("runs with local changes need their workspace patch from Depot Cache, which this emulator does not serve yet; commit the changes or stash them");
        }

        // The CLI sends the workflow's content, not its path; a path is known only when the request names it.
        var path = request.HasWorkflow ? request.Workflow : "";
        var files = request.WorkflowContent.Select(content => (path, content)).ToList();
        var jobs = request.HasJob && request.Job.Length > 0 ? request.Job.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        var run = engine.StartRun(org, request.Repo, request.HasSha ? request.Sha : "", "", "cli", files, jobs);
        return Task.FromResult(new RunResponse { OrgId = org, RunId = run.Run.Id });
    }

    private Task<DispatchWorkflowResponse> DispatchWorkflow(DispatchWorkflowRequest request, ConnectCallContext context)
    {
        var org = context.Access().ScopedOrganization(string.IsNullOrEmpty(request.OrgId) ? context.DepotOrg() : request.OrgId).Id;
        var (path, content) = repositories.Workflow(Require(request.Repo, "repo"), Require(request.Workflow, "workflow"));
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in request.Inputs)
        {
            inputs[input.Key] = input.Value;
        }

        var run = engine.StartRun(org, request.Repo, "", Require(request.Ref, "ref"), "workflow_dispatch", [(path, content)], [], inputs);
        return Task.FromResult(new DispatchWorkflowResponse { OrgId = org, RunId = run.Run.Id });
    }

    private Task<GetRunResponse> GetRun(GetRunRequest request, ConnectCallContext context) =>
        Task.FromResult(CiMapping.ToGetRun(engine.Run(Org(context), Require(request.RunId, "run_id"))));

    private Task<GetRunStatusResponse> GetRunStatus(GetRunStatusRequest request, ConnectCallContext context) =>
        Task.FromResult(CiMapping.ToRunStatus(engine.Run(Org(context), Require(request.RunId, "run_id"))));

    private Task<GetWorkflowResponse> GetWorkflow(GetWorkflowRequest request, ConnectCallContext context)
    {
        var (run, workflow) = engine.Workflow(Org(context), Require(request.WorkflowId, "workflow_id"));
        return Task.FromResult(CiMapping.ToGetWorkflow(run, workflow));
    }

    private Task<ListRunsResponse> ListRuns(ListRunsRequest request, ConnectCallContext context)
    {
        var runs = engine.Runs(Org(context)).Select(r => r.Run)
            .Where(r => request.Status.Count == 0 || request.Status.Contains(r.Status))
            .Where(r => request.Repo.Length == 0 || r.Repo == request.Repo)
            .Where(r => request.Sha.Length == 0 || r.Sha.StartsWith(request.Sha, StringComparison.Ordinal))
            .Where(r => request.Trigger.Length == 0 || r.Trigger == request.Trigger)
            .Where(r => request.Pr.Length == 0)
            .ToList();
        var (page, next) = Paging.Page(runs, request.PageSize, request.PageToken);
        var response = new ListRunsResponse { NextPageToken = next ?? "" };
        response.Runs.Add(page.Select(r => new ListRunsResponseRun
        {
            RunId = r.Id, Repo = r.Repo, Trigger = r.Trigger, Sha = r.Sha, Status = r.Status, CreatedAt = CiMapping.Time(r.CreatedAt),
            Ref = r.Ref, HeadSha = r.Sha,
        }));
        return Task.FromResult(response);
    }

    private Task<ListWorkflowsResponse> ListWorkflows(ListWorkflowsRequest request, ConnectCallContext context)
    {
        var size = request.PageSize <= 0 ? Paging.MaxPageSize : Math.Min(request.PageSize, Paging.MaxPageSize);
        var response = new ListWorkflowsResponse();
        foreach (var run in engine.Runs(Org(context)))
        {
            foreach (var workflow in run.Workflows)
            {
                var w = workflow.Workflow;
                if ((request.Name.Length > 0 && w.Name != request.Name) || (request.Repo.Length > 0 && run.Run.Repo != request.Repo)
                    || (request.Status.Count > 0 && !request.Status.Contains(w.Status)) || (request.Trigger.Length > 0 && run.Run.Trigger != request.Trigger)
                    || (request.Sha.Length > 0 && !run.Run.Sha.StartsWith(request.Sha, StringComparison.Ordinal)) || request.Pr.Length > 0
                    || response.Workflows.Count >= size)
                {
                    continue;
                }

                var counts = new ListWorkflowsResponseJobCounts { Total = workflow.Jobs.Count };
                foreach (var job in workflow.Jobs)
                {
                    switch (job.Job.Status)
                    {
                        case CiStatus.Queued: counts.Queued++; break;
                        case CiStatus.Waiting: counts.Waiting++; break;
                        case CiStatus.Running: counts.Running++; break;
                        case CiStatus.Finished: counts.Finished++; break;
                        case CiStatus.Failed: counts.Failed++; break;
                        case CiStatus.Cancelled: counts.Cancelled++; break;
                        case CiStatus.Skipped: counts.Skipped++; break;
                    }
                }

                response.Workflows.Add(new ListWorkflowsResponseWorkflow
                {
                    WorkflowId = w.Id, Name = w.Name, WorkflowPath = w.Path, Repo = run.Run.Repo, Status = w.Status, Trigger = run.Run.Trigger,
                    RunId = run.Run.Id, Sha = run.Run.Sha, HeadSha = run.Run.Sha, CreatedAt = CiMapping.Time(w.CreatedAt), JobCounts = counts,
                });
            }
        }

        return Task.FromResult(response);
    }

    private Task<CancelRunResponse> CancelRun(CancelRunRequest request, ConnectCallContext context)
    {
        var run = engine.CancelRun(Org(context), Require(request.RunId, "run_id"));
        return Task.FromResult(new CancelRunResponse { RunId = run.Run.Id, Status = run.Run.Status });
    }

    private Task<CancelWorkflowResponse> CancelWorkflow(CancelWorkflowRequest request, ConnectCallContext context)
    {
        var workflow = engine.CancelWorkflow(Org(context), Require(request.WorkflowId, "workflow_id"));
        return Task.FromResult(new CancelWorkflowResponse { WorkflowId = workflow.Workflow.Id, Status = workflow.Workflow.Status });
    }

    private Task<CancelJobResponse> CancelJob(CancelJobRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var (_, workflow, _) = engine.Job(org, Require(request.JobId, "job_id"));
        if (request.WorkflowId.Length > 0 && workflow.Workflow.Id != request.WorkflowId)
        {
            throw DepotErrors.NotFound("job", $"{request.JobId} in workflow {request.WorkflowId}");
        }

        var job = engine.EndJob(org, request.JobId, CiStatus.Cancelled);
        return Task.FromResult(new CancelJobResponse { JobId = job.Job.Id, Status = job.Job.Status });
    }

    private Task<RetryJobResponse> RetryJob(RetryJobRequest request, ConnectCallContext context)
    {
        var (job, attempt) = engine.RetryJob(Org(context), request.WorkflowId, Require(request.JobId, "job_id"));
        return Task.FromResult(new RetryJobResponse { JobId = job.Job.Id, AttemptId = attempt.Id, Attempt = attempt.Number, Status = job.Job.Status });
    }

    private Task<RetryFailedJobsResponse> RetryFailedJobs(RetryFailedJobsRequest request, ConnectCallContext context)
    {
        var jobs = engine.RetryFailedJobs(Org(context), Require(request.WorkflowId, "workflow_id"));
        var response = new RetryFailedJobsResponse { WorkflowId = request.WorkflowId, JobCount = jobs.Count };
        response.JobIds.Add(jobs.Select(j => j.Id));
        return Task.FromResult(response);
    }

    private Task<RerunWorkflowResponse> RerunWorkflow(RerunWorkflowRequest request, ConnectCallContext context)
    {
        var workflow = engine.RerunWorkflow(Org(context), Require(request.WorkflowId, "workflow_id"));
        return Task.FromResult(new RerunWorkflowResponse { WorkflowId = workflow.Workflow.Id, JobCount = workflow.Jobs.Count });
    }
}
