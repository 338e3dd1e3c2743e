using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Domain.Ci;

public sealed partial class CiEngine
{
    public RunView CancelRun(string organizationId, string runId)
    {
        lock (_lock)
        {
            var run = Run(organizationId, runId);
            foreach (var job in run.Jobs.Where(j => !CiStatus.IsTerminal(j.Job.Status)))
            {
                EndJob(job.Job, CiStatus.Cancelled, "The run was cancelled.");
            }

            return Aggregate(runId);
        }
    }

    public WorkflowView CancelWorkflow(string organizationId, string workflowId)
    {
        lock (_lock)
        {
            var (_, workflow) = Workflow(organizationId, workflowId);
            foreach (var job in workflow.Jobs.Where(j => !CiStatus.IsTerminal(j.Job.Status)))
            {
                EndJob(job.Job, CiStatus.Cancelled, "The workflow was cancelled.");
            }

            return Workflow(organizationId, workflowId).Workflow;
        }
    }

    /// <summary>Ends a job that has not ended: cancelled (Depot's cancel), or finished or failed from the control plane.</summary>
    public JobView EndJob(string organizationId, string jobId, string status, string? message = null)
    {
        lock (_lock)
        {
            var (_, _, job) = Job(organizationId, jobId);
            if (CiStatus.IsTerminal(job.Job.Status))
            {
                throw DepotErrors.Precondition($"job {jobId} is already {job.Job.Status}");
            }

            EndJob(job.Job, status, message ?? (status == CiStatus.Cancelled ? "The job was cancelled." : null));
            return Job(organizationId, jobId).Job;
        }
    }

    private void EndJob(CiJob job, string status, string? message)
    {
        var now = Now;
        if (store.Attempts(job.Id) is { Count: > 0 } attempts && attempts[^1].Status == CiStatus.Running)
        {
            var attempt = attempts[^1];
            if (message is not null)
            {
                var failedStep = status == CiStatus.Failed ? CurrentStep(job, attempt, now) : null;
                store.AppendLogs(attempt.Id, [new CiLogLine(attempt.Id, store.LogCount(attempt.Id) + 1, failedStep?.Key ?? "", failedStep?.Name ?? "",
                    now, 1, "##[error]" + message)]);
                store.PutAttempt(store.FindAttempt(attempt.Id)! with
                {
                    Status = status, FinishedAt = now, StepsLogged = int.MaxValue, FailedStep = failedStep?.Name,
                    ErrorMessage = status == CiStatus.Failed ? message : null,
                });
            }
            else
            {
                store.PutAttempt(attempt with { Status = status, FinishedAt = now, StepsLogged = int.MaxValue });
            }
        }

        store.PutJob(job with { Status = status, FinishedAt = now });
    }

    private StepDefinition? CurrentStep(CiJob job, CiAttempt attempt, DateTimeOffset now)
    {
        var workflow = store.FindWorkflow(job.WorkflowId)!;
        var plan = AttemptPlan.For(JobDefinition(workflow, job), attempt.StartedAt!.Value, Context(store.FindRun(job.RunId)!, workflow, job), options.StepDuration);
        return plan.Steps.LastOrDefault(s => s.Runs && s.Start <= now)?.Step;
    }

    /// <summary>A new attempt of an ended job; the jobs after it wait for it again.</summary>
    public (JobView Job, CiAttempt Attempt) RetryJob(string organizationId, string workflowId, string jobId)
    {
        lock (_lock)
        {
            var (_, workflow, job) = Job(organizationId, jobId);
            if (workflow.Workflow.Id != workflowId && !string.IsNullOrEmpty(workflowId))
            {
                throw DepotErrors.NotFound("job", $"{jobId} in workflow {workflowId}");
            }

            if (!CiStatus.IsTerminal(job.Job.Status))
            {
                throw DepotErrors.Precondition($"job {jobId} is {job.Job.Status}; only an ended job can be retried");
            }

            var attempt = Restart(workflow, [job.Job]).Single();
            var (_, _, updated) = Job(organizationId, jobId);
            return (updated, attempt);
        }
    }

    /// <summary>Retries every failed or cancelled job of an ended workflow.</summary>
    public IReadOnlyList<CiJob> RetryFailedJobs(string organizationId, string workflowId)
    {
        lock (_lock)
        {
            var (_, workflow) = Workflow(organizationId, workflowId);
            if (!CiStatus.IsTerminal(workflow.Workflow.Status))
            {
                throw DepotErrors.Precondition($"workflow {workflowId} is {workflow.Workflow.Status}; wait for it to end");
            }

            var failed = workflow.Jobs.Where(j => j.Job.Status is CiStatus.Failed or CiStatus.Cancelled).Select(j => j.Job).ToList();
            if (failed.Count == 0)
            {
                throw DepotErrors.Precondition($"workflow {workflowId} has no failed or cancelled jobs");
            }

            Restart(workflow, failed);
            return failed;
        }
    }

    /// <summary>Runs the whole workflow again, as a new execution with new attempts.</summary>
    public WorkflowView RerunWorkflow(string organizationId, string workflowId)
    {
        lock (_lock)
        {
            var (_, workflow) = Workflow(organizationId, workflowId);
            if (!CiStatus.IsTerminal(workflow.Workflow.Status))
            {
                throw DepotErrors.Precondition($"workflow {workflowId} is {workflow.Workflow.Status}; wait for it to end or cancel it");
            }

            var now = Now;
            store.PutWorkflow(workflow.Workflow with
            {
                Status = CiStatus.Queued, Execution = workflow.Workflow.Execution + 1, StartedAt = now, FinishedAt = null,
            });
            foreach (var job in workflow.Jobs)
            {
                var definition = JobDefinition(workflow.Workflow, job.Job);
                store.PutJob(job.Job with
                {
                    Status = definition.Needs.Count == 0 ? CiStatus.Queued : CiStatus.Waiting, StartedAt = null, FinishedAt = null,
                });
            }

            ReopenRun(workflow.Workflow.RunId);
            return Workflow(organizationId, workflowId).Workflow;
        }
    }

    private List<CiAttempt> Restart(WorkflowView workflow, IReadOnlyList<CiJob> jobs)
    {
        var now = Now;
        var attempts = jobs.Select(j => StartAttempt(store.FindJob(j.Id)!, now)).ToList();
        var restarted = jobs.Select(j => j.Key).ToHashSet();
        var definitions = workflow.Jobs.ToDictionary(j => j.Job.Key, j => JobDefinition(workflow.Workflow, j.Job));
        foreach (var job in workflow.Jobs.Where(j => !restarted.Contains(j.Job.Key) && DependsOn(j.Job.Key, restarted, definitions)))
        {
            store.PutJob(store.FindJob(job.Job.Id)! with { Status = CiStatus.Waiting, FinishedAt = null });
        }

        store.PutWorkflow(store.FindWorkflow(workflow.Workflow.Id)! with { Status = CiStatus.Running, FinishedAt = null });
        ReopenRun(workflow.Workflow.RunId);
        return attempts;
    }

    private static bool DependsOn(string key, HashSet<string> on, Dictionary<string, JobDefinition> definitions) =>
        definitions[key].Needs.Any(n => on.Contains(n) || DependsOn(n, on, definitions));

    private void ReopenRun(string runId) =>
        store.PutRun(store.FindRun(runId)! with { Status = CiStatus.Running, FinishedAt = null });
}
