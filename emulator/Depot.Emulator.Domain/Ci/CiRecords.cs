namespace Depot.Emulator.Domain.Ci;

/// <summary>The status words Depot CI uses for runs, workflows, jobs and attempts.</summary>
public static class CiStatus
{
    public const string Queued = "queued";
    public const string Waiting = "waiting";
    public const string Running = "running";
    public const string Finished = "finished";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Skipped = "skipped";

    public static bool IsTerminal(string status) => status is Finished or Failed or Cancelled or Skipped;
}

/// <summary>One <c>depot ci run</c> or dispatch: the commit it ran and the workflows it started.</summary>
public sealed record CiRun(
    string Id,
    string OrganizationId,
    string Repo,
    string Ref,
    string Sha,
    string Trigger,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>One workflow file of a run; <see cref="Content"/> is the YAML it was started with.</summary>
public sealed record CiWorkflow(
    string Id,
    string RunId,
    string OrganizationId,
    string Name,
    string Path,
    string Content,
    IReadOnlyDictionary<string, string> Inputs,
    string Status,
    string? ErrorMessage,
    int Execution,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>One job of a workflow (a matrix job is one per combination); <see cref="Ordinal"/> keeps the file's order.</summary>
public sealed record CiJob(
    string Id,
    string WorkflowId,
    string RunId,
    string OrganizationId,
    int Ordinal,
    string Key,
    string DisplayName,
    string Status,
    int CurrentAttempt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>One try of a job. <see cref="StepsLogged"/> counts the steps whose logs are written, so logs are written once.</summary>
public sealed record CiAttempt(
    string Id,
    string JobId,
    string OrganizationId,
    int Number,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int StepsLogged,
    string? FailedStep,
    string? ErrorMessage,
    string? Summary);

/// <summary>One log line of an attempt; <see cref="Number"/> counts from 1 within the attempt; <see cref="Stream"/> 0 is stdout, 1 stderr.</summary>
public sealed record CiLogLine(
    string AttemptId,
    int Number,
    string StepKey,
    string StepName,
    DateTimeOffset Timestamp,
    int Stream,
    string Body);

/// <summary>One variant of a secret (a value for some attributes, e.g. a repo): only a hash of its value is kept.</summary>
public sealed record CiSecretVariant(
    string Id,
    string OrganizationId,
    string SecretName,
    string VariantName,
    string? Description,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    byte[] ValueHash,
    DateTimeOffset UpdatedAt);

/// <summary>One variant of a variable: unlike a secret's, its value is readable.</summary>
public sealed record CiVariableVariant(
    string Id,
    string OrganizationId,
    string VariableName,
    string VariantName,
    string? Description,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    string Value,
    DateTimeOffset UpdatedAt);
