namespace Depot.Emulator.Domain.Ci;

/// <summary>A run with everything under it, as of one moment.</summary>
public sealed record RunView(CiRun Run, IReadOnlyList<WorkflowView> Workflows)
{
    public IEnumerable<JobView> Jobs => Workflows.SelectMany(w => w.Jobs);
}

public sealed record WorkflowView(CiWorkflow Workflow, IReadOnlyList<JobView> Jobs);

public sealed record JobView(CiJob Job, IReadOnlyList<CiAttempt> Attempts)
{
    public CiAttempt? Latest => Attempts.Count == 0 ? null : Attempts[^1];
}

/// <summary>A failed attempt with the lines that explain it.</summary>
public sealed record FailedAttempt(RunView Run, WorkflowView Workflow, JobView Job, CiAttempt Attempt, string Step, string Message,
    IReadOnlyList<CiLogLine> RelevantLines);
