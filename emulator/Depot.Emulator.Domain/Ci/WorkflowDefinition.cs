namespace Depot.Emulator.Domain.Ci;

/// <summary>A parsed workflow file: its jobs with matrices expanded, in the file's order.</summary>
public sealed record WorkflowDefinition(
    string Name,
    IReadOnlyList<JobDefinition> Jobs,
    IReadOnlyDictionary<string, string> InputDefaults);

/// <summary>
/// One concrete job. <see cref="Key"/> is the YAML key, with the matrix values in parentheses for a matrix job;
/// <see cref="Needs"/> are concrete keys too.
/// </summary>
public sealed record JobDefinition(
    string Key,
    string BaseKey,
    string DisplayName,
    IReadOnlyList<string> Needs,
    string? If,
    IReadOnlyDictionary<string, string> Matrix,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<StepDefinition> Steps);

public sealed record StepDefinition(
    int Index,
    string Key,
    string Name,
    string? Run,
    string? Uses,
    string? If,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyDictionary<string, string> With);
