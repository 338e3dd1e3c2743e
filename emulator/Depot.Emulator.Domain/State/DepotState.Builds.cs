using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Domain.State;

/// <summary>Builds: created with a build token, kept alive by health reports, finished once.</summary>
public sealed partial class DepotState
{
    /// <summary>Depot reclaims a builder that has not reported health for this long.</summary>
    public static readonly TimeSpan BuildHealthTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How long a build token keeps working after its build finished (late status reports, pulls).</summary>
    public static readonly TimeSpan BuildTokenGrace = TimeSpan.FromMinutes(10);

    /// <summary>Creates a running build and the build token scoped to it; the secret is returned once.</summary>
    public (Build Build, string Token) StartBuild(string projectId, BuildOrigin origin, IReadOnlyList<BuildTarget> targets) =>
        Write(s =>
        {
            var project = s.Projects.Find(projectId) ?? throw DepotErrors.NotFound("project", projectId);
            string id;
            do
            {
                id = _ids.Id("build_");
            }
            while (s.Builds.Find(id) is not null);

            var token = IssueTokenIn(s, new TokenRequest(TokenType.Build, ProjectId: project.Id, BuildId: id, Description: $"build {id}"));
            var now = _clock.GetUtcNow();
            var build = new Build(id, project.Id, project.OrganizationId, origin, now, targets, token.Record.Id, now);
            s.Builds.Add(build);
            _progress[id] = new BuildProgress();
            return (build, token.Secret);
        });

    public Build? FindBuild(string id) => Write(s => Current(s, id));

    /// <summary>A project's builds, newest first.</summary>
    public IReadOnlyList<Build> Builds(string projectId) =>
        Write(s => s.Builds.All().Where(b => b.ProjectId == projectId).Select(b => Current(s, b)).Newest());

    public IReadOnlyList<Build> AllBuilds() => Write(s => s.Builds.All().Select(b => Current(s, b)).Newest());

    /// <summary>A build's steps and logs, as reported since the emulator started.</summary>
    public BuildProgress Progress(string buildId) =>
        Read(s => s.Builds.Find(buildId)) is null
            ? throw DepotErrors.NotFound("build", buildId)
            : _progress.GetOrAdd(buildId, _ => new BuildProgress());

    /// <summary>
    /// Hands out a builder for one platform of a running build: the first ask is answered "pending", as
    /// Depot's machines take a moment to start; every later ask gets the builder.
    /// </summary>
    public bool AcquireBuilder(string buildId, string platform) =>
        Write(s =>
        {
            var build = Running(s, buildId);
            var now = _clock.GetUtcNow();
            if (s.Builds.MarkBuilderAsked(buildId, platform))
            {
                s.Builds.Update(build with { LastHealthAt = now });
                return false;
            }

            s.Builds.Update(build with { StartedAt = build.StartedAt ?? now, LastHealthAt = now });
            return true;
        });

    /// <summary>Gives a builder back; asking for it again starts over with "pending".</summary>
    public void ReleaseBuilder(string buildId, string platform) =>
        Write(s =>
        {
            _ = Current(s, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            return s.Builds.ForgetBuilder(buildId, platform);
        });

    public BuildPush StartPush(string buildId, string tag) =>
        Write(s =>
        {
            _ = Current(s, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            if (string.IsNullOrWhiteSpace(tag))
            {
                throw DepotErrors.Required("tag");
            }

            var push = new BuildPush(_ids.Id("push_"), buildId, tag, _clock.GetUtcNow());
            s.Builds.PutPush(push);
            return push;
        });

    public BuildPush FinishPush(string buildId, string pushId, string? error) =>
        Write(s =>
        {
            var push = s.Builds.FindPush(pushId);
            if (push is null || push.BuildId != buildId)
            {
                throw DepotErrors.NotFound("push", pushId);
            }

            if (push.FinishedAt is not null)
            {
                throw DepotErrors.Precondition($"push {pushId} already finished");
            }

            var finished = push with { FinishedAt = _clock.GetUtcNow(), Error = error };
            s.Builds.PutPush(finished);
            return finished;
        });

    public IReadOnlyList<BuildPush> Pushes(string buildId) =>
        Read(s => s.Builds.Pushes(buildId));

    /// <summary>Records a health report; the answer carries the cancellation time while the build is being cancelled.</summary>
    public Build ReportHealth(string buildId) =>
        Write(s =>
        {
            var build = Running(s, buildId) with { LastHealthAt = _clock.GetUtcNow() };
            s.Builds.Update(build);
            return build;
        });

    public Build FinishBuild(string buildId, BuildState result, string? error)
    {
        if (result == BuildState.Running)
        {
            throw new ArgumentException("a build finishes in a final state", nameof(result));
        }

        return Write(s =>
        {
            var build = Current(s, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            if (!build.IsRunning)
            {
                throw DepotErrors.Precondition($"build {buildId} already finished ({build.State.ToString().ToLowerInvariant()})");
            }

            var now = _clock.GetUtcNow();
            var finished = build with { State = result, FinishedAt = now, Error = result == BuildState.Failed ? error ?? "" : null };
            s.Builds.Update(finished);
            ExpireBuildToken(s, finished, now + BuildTokenGrace);
            return finished;
        });
    }

    /// <summary>Asks the builder to stop, as Depot's dashboard does: the next health report tells the CLI to release it.</summary>
    public Build CancelBuild(string buildId) =>
        Write(s =>
        {
            var build = Running(s, buildId);
            var cancelling = build with { CancelsAt = build.CancelsAt ?? _clock.GetUtcNow() };
            s.Builds.Update(cancelling);
            return cancelling;
        });

    /// <summary>Adds a Dockerfile a build read (a bake reads several, concurrently).</summary>
    public void AddDockerfile(string buildId, BuildDockerfile dockerfile) =>
        Write(s =>
        {
            _ = Current(s, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            s.Builds.AddDockerfile(buildId, dockerfile);
            return true;
        });

    public void RecordDockerfiles(string buildId, IReadOnlyList<BuildDockerfile> dockerfiles) =>
        Write(s =>
        {
            var build = Current(s, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            s.Builds.ReplaceDockerfiles(buildId, dockerfiles);
            return build;
        });

    public IReadOnlyList<BuildDockerfile> Dockerfiles(string buildId) =>
        Read(s => s.Builds.Dockerfiles(buildId));

    public Build ShareBuild(string buildId) =>
        Write(s =>
        {
            var build = Current(s, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            var shared = build with { ShareId = build.ShareId ?? _ids.Id("share_") };
            s.Builds.Update(shared);
            return shared;
        });

    public Build StopSharingBuild(string buildId) =>
        Write(s =>
        {
            var build = Current(s, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            var unshared = build with { ShareId = null };
            s.Builds.Update(unshared);
            return unshared;
        });

    public Build? FindSharedBuild(string shareId) =>
        Write(s => s.Builds.FindShared(shareId) is { } b ? Current(s, b) : null);

    private Build Running(StateStores s, string buildId)
    {
        var build = Current(s, buildId) ?? throw DepotErrors.NotFound("build", buildId);
        return build.IsRunning ? build
            : throw DepotErrors.Precondition($"build {buildId} is not running: it {Describe(build)}");
    }

    /// <summary>The build as of now: a running build whose health reports stopped has been reclaimed.</summary>
    private Build? Current(StateStores s, string id) => s.Builds.Find(id) is { } build ? Current(s, build) : null;

    private Build Current(StateStores s, Build build)
    {
        var deadline = build.LastHealthAt + BuildHealthTimeout;
        if (build.IsRunning && deadline <= _clock.GetUtcNow())
        {
            build = build with
            {
                State = BuildState.Expired,
                FinishedAt = deadline,
                Error = $"no health report for {BuildHealthTimeout.TotalMinutes:0} minutes; the builder was reclaimed",
            };
            s.Builds.Update(build);
            ExpireBuildToken(s, build, deadline + BuildTokenGrace);
        }

        return build;
    }

    private static void ExpireBuildToken(StateStores s, Build build, DateTimeOffset at)
    {
        if (s.Tokens.Find(build.TokenId) is { } token)
        {
            s.Tokens.Update(token with { ExpiresAt = token.ExpiresAt is { } e && e < at ? e : at });
        }
    }

    private static string Describe(Build build) => build.State switch
    {
        BuildState.Succeeded => "succeeded",
        BuildState.Failed => "failed",
        BuildState.Canceled => "was canceled",
        BuildState.Expired => "expired",
        _ => "is running",
    };
}

internal static class BuildOrder
{
    public static IReadOnlyList<Build> Newest(this IEnumerable<Build> builds) =>
        builds.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
}
