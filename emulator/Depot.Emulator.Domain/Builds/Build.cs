namespace Depot.Emulator.Domain.Builds;

public enum BuildState
{
    Running,
    Succeeded,
    Failed,
    Canceled,

    /// <summary>Stopped reporting health and was reclaimed.</summary>
    Expired,
}

/// <summary>Who started the build: the CLI (<c>depot.cli.v1</c>) or an API user (<c>depot.build.v1</c>).</summary>
public enum BuildOrigin
{
    Cli,
    Api,
}

/// <summary>One target of a build as the CLI describes it in CreateBuild.</summary>
public sealed record BuildTarget(
    string Command,
    IReadOnlyList<string> Tags,
    bool Push,
    bool Load,
    bool Save,
    IReadOnlyList<string> SaveTags,
    string? TargetName,
    bool Lint,
    IReadOnlyList<BuildOutput> Outputs);

public sealed record BuildOutput(string Kind, IReadOnlyDictionary<string, string> Attributes);

public sealed record BuildDockerfile(string Target, string Filename, string Contents);

/// <summary>A build as stored. Progress (steps and logs) lives beside it in <see cref="BuildProgress"/>.</summary>
public sealed record Build(
    string Id,
    string ProjectId,
    string OrganizationId,
    BuildOrigin Origin,
    DateTimeOffset CreatedAt,
    IReadOnlyList<BuildTarget> Targets,
    string TokenId,
    DateTimeOffset LastHealthAt,
    BuildState State = BuildState.Running,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null,
    string? Error = null,
    DateTimeOffset? CancelsAt = null,
    string? ShareId = null)
{
    public bool IsRunning => State == BuildState.Running;

    /// <summary>
    /// The build goes into the project's registry: asked with <c>--save</c>, or with <c>--load</c>, which the CLI
    /// then pulls from there into the local Docker daemon.
    /// </summary>
    public bool Saves => Targets.Any(t => t.Save || t.Load);

    /// <summary>Saved only so that <c>--load</c> can pull it.</summary>
    public bool SavesForLoad => !Targets.Any(t => t.Save) && Targets.Any(t => t.Load);

    public IEnumerable<string> SaveTags => Targets.SelectMany(t => t.SaveTags).Distinct(StringComparer.Ordinal);
}

/// <summary><c>depot push</c> of a saved build to another registry.</summary>
public sealed record BuildPush(string Id, string BuildId, string Tag, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt = null, string? Error = null);
