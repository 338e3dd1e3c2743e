using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;

namespace Depot.Emulator.Domain.Ci;

/// <summary>
/// Depot CI's runs, moved by the emulator's clock. Nothing runs in the background: whenever a run is looked at,
/// it is brought up to the current time, and every transition is stamped with the time it was due, so what a client
/// sees depends only on the workflow and the clock.
/// </summary>
public sealed partial class CiEngine(ICiStore store, ICiSettingsStore settings, TimeProvider clock, IdGenerator ids, CiOptions options)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, WorkflowDefinition> _definitions = new(StringComparer.Ordinal);

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>Starts one workflow per file; <paramref name="onlyJobs"/> narrows each to those jobs and what they need.</summary>
    public RunView StartRun(string organizationId, string repo, string sha, string gitRef, string trigger,
        IReadOnlyList<(string Path, string Content)> files, IReadOnlyCollection<string> onlyJobs,
        IReadOnlyDictionary<string, string>? inputs = null)
    {
        if (files.Count == 0)
        {
            throw DepotErrors.Required("workflow_content");
        }

        var parsed = files.Select(f => (f.Path, f.Content, Definition: WorkflowParser.Parse(f.Path, f.Content))).ToList();
        foreach (var job in onlyJobs)
        {
            if (!parsed.Any(p => p.Definition.Jobs.Any(j => j.BaseKey == job || j.Key == job)))
            {
                throw DepotErrors.Invalid($"job {job} is not defined in the workflow");
            }
        }

        lock (_lock)
        {
            EnsureRoom(organizationId);
            var now = Now;
            var run = new CiRun(ids.Id("run_"), organizationId, repo, gitRef, sha, trigger, CiStatus.Queued, now, null, null);
            store.PutRun(run);
            foreach (var (path, content, definition) in parsed)
            {
                var workflow = new CiWorkflow(ids.Id("wf_"), run.Id, organizationId, definition.Name, path, content,
                    MergeInputs(definition, inputs), CiStatus.Queued, null, 1, now, now, null);
                _definitions[workflow.Id] = definition;
                store.PutWorkflow(workflow);
                var selected = Selected(definition, onlyJobs);
                var ordinal = 0;
                foreach (var job in definition.Jobs.Where(j => selected.Contains(j.Key)))
                {
                    store.PutJob(new CiJob(ids.Id("job_"), workflow.Id, run.Id, organizationId, ordinal++, job.Key, job.DisplayName,
                        job.Needs.Count == 0 ? CiStatus.Queued : CiStatus.Waiting, 0, now, null, null));
                }
            }

            return Advance(run.Id);
        }
    }

    public RunView Run(string organizationId, string runId)
    {
        var run = store.FindRun(runId);
        if (run is null || run.OrganizationId != organizationId)
        {
            throw DepotErrors.NotFound("run", runId);
        }

        lock (_lock)
        {
            return Advance(run.Id);
        }
    }

    public IReadOnlyList<RunView> Runs(string organizationId)
    {
        lock (_lock)
        {
            return store.Runs(organizationId).Select(r => Advance(r.Id)).ToList();
        }
    }

    public (RunView Run, WorkflowView Workflow) Workflow(string organizationId, string workflowId)
    {
        var workflow = store.FindWorkflow(workflowId);
        if (workflow is null || workflow.OrganizationId != organizationId)
        {
            throw DepotErrors.NotFound("workflow", workflowId);
        }

        var run = Run(organizationId, workflow.RunId);
        return (run, run.Workflows.Single(w => w.Workflow.Id == workflowId));
    }

    public (RunView Run, WorkflowView Workflow, JobView Job) Job(string organizationId, string jobId)
    {
        var job = store.FindJob(jobId);
        if (job is null || job.OrganizationId != organizationId)
        {
            throw DepotErrors.NotFound("job", jobId);
        }

        var (run, workflow) = Workflow(organizationId, job.WorkflowId);
        return (run, workflow, workflow.Jobs.Single(j => j.Job.Id == jobId));
    }

    public (RunView Run, WorkflowView Workflow, JobView Job, CiAttempt Attempt) Attempt(string organizationId, string attemptId)
    {
        var attempt = store.FindAttempt(attemptId);
        if (attempt is null || attempt.OrganizationId != organizationId)
        {
            throw DepotErrors.NotFound("attempt", attemptId);
        }

        var (run, workflow, job) = Job(organizationId, attempt.JobId);
        return (run, workflow, job, job.Attempts.Single(a => a.Id == attemptId));
    }

    /// <summary>Log lines after <paramref name="afterLine"/>, with the attempt brought up to date first.</summary>
    public (IReadOnlyList<CiLogLine> Lines, CiAttempt Attempt) Logs(string organizationId, string attemptId, int afterLine, int limit)
    {
        var (_, _, _, attempt) = Attempt(organizationId, attemptId);
        return (store.Logs(attemptId, afterLine, limit), attempt);
    }

    public AttemptPlan Plan(WorkflowView workflow, JobView job, CiAttempt attempt, RunView run) =>
        AttemptPlan.For(JobDefinition(workflow.Workflow, job.Job), attempt.StartedAt ?? attempt.CreatedAt, Context(run.Run, workflow.Workflow, job.Job), options.StepDuration);

    private static HashSet<string> Selected(WorkflowDefinition definition, IReadOnlyCollection<string> onlyJobs)
    {
        if (onlyJobs.Count == 0)
        {
            return definition.Jobs.Select(j => j.Key).ToHashSet();
        }

        var byKey = definition.Jobs.ToDictionary(j => j.Key);
        var selected = new HashSet<string>();
        void Add(JobDefinition job)
        {
            if (selected.Add(job.Key))
            {
                job.Needs.ToList().ForEach(n => Add(byKey[n]));
            }
        }

        definition.Jobs.Where(j => onlyJobs.Contains(j.BaseKey) || onlyJobs.Contains(j.Key)).ToList().ForEach(Add);
        return selected;
    }

    private static Dictionary<string, string> MergeInputs(WorkflowDefinition definition, IReadOnlyDictionary<string, string>? inputs)
    {
        var merged = new Dictionary<string, string>(definition.InputDefaults, StringComparer.Ordinal);
        foreach (var (key, value) in inputs ?? new Dictionary<string, string>())
        {
            if (!definition.InputDefaults.ContainsKey(key))
            {
                throw DepotErrors.Invalid($"workflow {definition.Name} has no workflow_dispatch input {key}");
            }

            merged[key] = value;
        }

        return merged;
    }

    /// <summary>Keeps each organization's run list bounded: past the bound, new runs are refused.</summary>
    private void EnsureRoom(string organizationId)
    {
        var runs = store.Runs(organizationId);
        if (runs.Count >= options.MaxRunsPerOrganization)
        {
            throw DepotErrors.Precondition($"organization {organizationId} has {runs.Count} runs, more than the emulator keeps ({options.MaxRunsPerOrganization})");
        }
    }

    private JobDefinition JobDefinition(CiWorkflow workflow, CiJob job)
    {
        if (!_definitions.TryGetValue(workflow.Id, out var definition))
        {
            definition = _definitions[workflow.Id] = WorkflowParser.Parse(workflow.Path, workflow.Content);
        }

        return definition.Jobs.Single(j => j.Key == job.Key);
    }

    private ExpressionContext Context(CiRun run, CiWorkflow workflow, CiJob job, bool failed = false, bool cancelled = false) => new()
    {
        Inputs = workflow.Inputs,
        Matrix = _definitions.TryGetValue(workflow.Id, out var d) ? d.Jobs.Single(j => j.Key == job.Key).Matrix : new Dictionary<string, string>(),
        Vars = Variables(run),
        Github = new Dictionary<string, string>
        {
            ["sha"] = run.Sha,
            ["ref"] = run.Ref,
            ["repository"] = run.Repo,
            ["event_name"] = run.Trigger,
            ["run_id"] = run.Id,
            ["job"] = job.Key,
        },
        Failed = failed,
        Cancelled = cancelled,
    };

    /// <summary>The organization's variables for the run's repository: a variant for the repo wins over a general one.</summary>
    private Dictionary<string, string> Variables(CiRun run)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in settings.VariableVariants(run.OrganizationId).GroupBy(v => v.VariableName))
        {
            var forRepo = group.FirstOrDefault(v => v.Attributes.Any(a => a.Key == "repository" && a.Value == run.Repo));
            var general = group.FirstOrDefault(v => v.Attributes.Count == 0);
            if ((forRepo ?? general) is { } chosen)
            {
                result[group.Key] = chosen.Value;
            }
        }

        return result;
    }
}
