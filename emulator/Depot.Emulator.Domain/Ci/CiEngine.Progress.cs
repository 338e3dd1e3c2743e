namespace Depot.Emulator.Domain.Ci;

public sealed partial class CiEngine
{
    /// <summary>Brings a run up to the current time: starts jobs whose needs are met, writes due logs, ends due attempts.</summary>
    private RunView Advance(string runId)
    {
        var now = Now;
        var run = store.FindRun(runId)!;
        foreach (var workflow in store.Workflows(runId))
        {
            if (!CiStatus.IsTerminal(workflow.Status))
            {
                AdvanceWorkflow(run, workflow, now);
            }
        }

        return Aggregate(runId);
    }

    private void AdvanceWorkflow(CiRun run, CiWorkflow workflow, DateTimeOffset now)
    {
        for (var progress = true; progress;)
        {
            progress = false;
            var jobs = store.Jobs(workflow.Id).ToDictionary(j => j.Key);
            foreach (var job in jobs.Values.OrderBy(j => j.Ordinal))
            {
                var definition = JobDefinition(workflow, job);
                if (job.Status is CiStatus.Queued or CiStatus.Waiting)
                {
                    var needs = definition.Needs.Where(jobs.ContainsKey).Select(k => jobs[k]).ToList();
                    if (needs.Any(n => !CiStatus.IsTerminal(n.Status)))
                    {
                        continue;
                    }

                    var readyAt = needs.Count == 0 ? workflow.StartedAt ?? workflow.CreatedAt : needs.Max(n => n.FinishedAt ?? now);
                    if (readyAt > now)
                    {
                        continue;
                    }

                    var context = Context(run, workflow, job, needs.Any(n => n.Status == CiStatus.Failed), needs.Any(n => n.Status == CiStatus.Cancelled));
                    var runs = Expressions.Evaluate(definition.If, context)
                        && (definition.If is not null || needs.All(n => n.Status == CiStatus.Finished));
                    if (runs)
                    {
                        StartAttempt(job, readyAt);
                    }
                    else
                    {
                        store.PutJob(job with { Status = CiStatus.Skipped, FinishedAt = readyAt });
                    }

                    progress = true;
                }
                else if (job.Status == CiStatus.Running && store.Attempts(job.Id) is { Count: > 0 } attempts)
                {
                    var attempt = attempts[^1];
                    var plan = AttemptPlan.For(definition, attempt.StartedAt!.Value, Context(run, workflow, job), options.StepDuration);
                    WriteLogs(run, workflow, job, attempt, plan, now);
                    if (plan.End <= now)
                    {
                        var failed = plan.FailedStep;
                        var status = failed is null ? CiStatus.Finished : CiStatus.Failed;
                        store.PutAttempt(store.FindAttempt(attempt.Id)! with
                        {
                            Status = status, FinishedAt = plan.End, FailedStep = failed?.Step.Name, ErrorMessage = failed?.Failure,
                        });
                        store.PutJob(job with { Status = status, FinishedAt = plan.End });
                        progress = true;
                    }
                }
            }
        }
    }

    private CiAttempt StartAttempt(CiJob job, DateTimeOffset at)
    {
        var number = job.CurrentAttempt + 1;
        var attempt = new CiAttempt(ids.Id("att_"), job.Id, job.OrganizationId, number, CiStatus.Running, at, at, null, 0, null, null, null);
        store.PutAttempt(attempt);
        store.PutJob(job with { Status = CiStatus.Running, CurrentAttempt = number, StartedAt = job.StartedAt ?? at, FinishedAt = null });
        return attempt;
    }

    /// <summary>Writes every log phase that is due by <paramref name="until"/> and not yet written.</summary>
    private void WriteLogs(CiRun run, CiWorkflow workflow, CiJob job, CiAttempt attempt, AttemptPlan plan, DateTimeOffset until)
    {
        var phase = attempt.StepsLogged;
        var lines = new List<CiLogLine>();
        var next = store.LogCount(attempt.Id) + 1;
        var context = Context(run, workflow, job);
        for (; phase < plan.PhaseCount && plan.PhaseTime(phase) <= until; phase++)
        {
            var step = plan.Steps[phase / 2].Step;
            foreach (var (at, stream, body) in plan.Phase(phase, context))
            {
                if (next + lines.Count <= options.MaxLogLinesPerAttempt)
                {
                    lines.Add(new CiLogLine(attempt.Id, next + lines.Count, step.Key, step.Name, at, stream, body));
                }
            }
        }

        if (phase != attempt.StepsLogged)
        {
            store.AppendLogs(attempt.Id, lines);
            store.PutAttempt(store.FindAttempt(attempt.Id)! with { StepsLogged = phase });
        }
    }

    /// <summary>Workflow and run statuses follow from their jobs.</summary>
    private RunView Aggregate(string runId)
    {
        var run = store.FindRun(runId)!;
        var workflows = new List<WorkflowView>();
        foreach (var workflow in store.Workflows(runId))
        {
            var jobs = store.Jobs(workflow.Id).Select(j => new JobView(j, store.Attempts(j.Id))).ToList();
            var (status, started, finished) = Summarize(jobs.Select(j => (j.Job.Status, j.Job.StartedAt, j.Job.FinishedAt)).ToList());
            var updated = workflow with { Status = status, FinishedAt = finished };
            if (updated != workflow)
            {
                store.PutWorkflow(updated);
            }

            workflows.Add(new WorkflowView(updated, jobs));
        }

        var (runStatus, runStarted, runFinished) = Summarize(workflows.Select(w => (w.Workflow.Status,
            w.Jobs.Select(j => j.Job.StartedAt).Where(t => t is not null).Min(), w.Workflow.FinishedAt)).ToList());
        var updatedRun = run with { Status = runStatus, StartedAt = run.StartedAt ?? runStarted, FinishedAt = runFinished };
        if (updatedRun != run)
        {
            store.PutRun(updatedRun);
        }

        return new RunView(updatedRun, workflows);
    }

    private static (string Status, DateTimeOffset? Started, DateTimeOffset? Finished) Summarize(
        IReadOnlyList<(string Status, DateTimeOffset? Started, DateTimeOffset? Finished)> parts)
    {
        var started = parts.Select(p => p.Started).Where(t => t is not null).Min();
        if (parts.Count > 0 && parts.All(p => CiStatus.IsTerminal(p.Status)))
        {
            var status = parts.Any(p => p.Status == CiStatus.Failed) ? CiStatus.Failed
                : parts.Any(p => p.Status == CiStatus.Cancelled) ? CiStatus.Cancelled
                : CiStatus.Finished;
            return (status, started, parts.Max(p => p.Finished));
        }

        return (parts.Any(p => p.Status == CiStatus.Running || CiStatus.IsTerminal(p.Status)) ? CiStatus.Running : CiStatus.Queued, started, null);
    }
}
