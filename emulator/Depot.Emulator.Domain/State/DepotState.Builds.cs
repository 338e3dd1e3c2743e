using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;

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
        Write(d =>
        {
            var project = d.Projects.GetValueOrDefault(projectId) ?? throw DepotErrors.NotFound("project", projectId);
            string id;
            do
            {
                id = _ids.Id("build_");
            }
            while (d.Builds.ContainsKey(id));

            var token = IssueTokenLocked(d, new TokenRequest(TokenType.Build, ProjectId: project.Id, BuildId: id, Description: $"build {id}"));
            var now = _clock.GetUtcNow();
            var build = new Build(id, project.Id, project.OrganizationId, origin, now, targets, token.Record.Id, now);
            d.Builds[id] = build;
            d.Progress[id] = new BuildProgress();
            return (build, token.Secret);
        });

    public Build? FindBuild(string id) => Write(d => Current(d, id));

    /// <summary>A project's builds, newest first.</summary>
    public IReadOnlyList<Build> Builds(string projectId) =>
        Write(d => d.Builds.Keys.ToList().Select(id => Current(d, id)!).Where(b => b.ProjectId == projectId)
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList());

    public IReadOnlyList<Build> AllBuilds() =>
        Write(d => d.Builds.Keys.ToList().Select(id => Current(d, id)!)
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList());

    public BuildProgress Progress(string buildId) =>
        Read(d => d.Progress.GetValueOrDefault(buildId)) ?? throw DepotErrors.NotFound("build", buildId);

    /// <summary>
    /// Hands out a builder for one platform of a running build: the first ask is answered "pending", as
    /// Depot's machines take a moment to start; every later ask gets the builder.
    /// </summary>
    public bool AcquireBuilder(string buildId, string platform) =>
        Write(d =>
        {
            var build = Running(d, buildId);
            var key = buildId + "/" + platform;
            var now = _clock.GetUtcNow();
            if (d.PendingBuilders.Add(key))
            {
                d.Builds[buildId] = build with { LastHealthAt = now };
                return false;
            }

            d.Builds[buildId] = build with { StartedAt = build.StartedAt ?? now, LastHealthAt = now };
            return true;
        });

    /// <summary>Gives a builder back; asking for it again starts over with "pending".</summary>
    public void ReleaseBuilder(string buildId, string platform) =>
        Write(d =>
        {
            _ = Current(d, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            return d.PendingBuilders.Remove(buildId + "/" + platform);
        });

    public BuildPush StartPush(string buildId, string tag) =>
        Write(d =>
        {
            _ = Current(d, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            if (string.IsNullOrWhiteSpace(tag))
            {
                throw DepotErrors.Required("tag");
            }

            var push = new BuildPush(_ids.Id("push_"), buildId, tag, _clock.GetUtcNow());
            d.Pushes[push.Id] = push;
            return push;
        });

    public BuildPush FinishPush(string buildId, string pushId, string? error) =>
        Write(d =>
        {
            var push = d.Pushes.GetValueOrDefault(pushId);
            if (push is null || push.BuildId != buildId)
            {
                throw DepotErrors.NotFound("push", pushId);
            }

            if (push.FinishedAt is not null)
            {
                throw DepotErrors.Precondition($"push {pushId} already finished");
            }

            var finished = push with { FinishedAt = _clock.GetUtcNow(), Error = error };
            d.Pushes[pushId] = finished;
            return finished;
        });

    public IReadOnlyList<BuildPush> Pushes(string buildId) =>
        Read(d => d.Pushes.Values.Where(p => p.BuildId == buildId).OrderBy(p => p.StartedAt).ToList());

    /// <summary>Records a health report; the answer carries the cancellation time while the build is being cancelled.</summary>
    public Build ReportHealth(string buildId) =>
        Write(d =>
        {
            var build = Running(d, buildId) with { LastHealthAt = _clock.GetUtcNow() };
            d.Builds[buildId] = build;
            return build;
        });

    public Build FinishBuild(string buildId, BuildState result, string? error)
    {
        if (result == BuildState.Running)
        {
            throw new ArgumentException("a build finishes in a final state", nameof(result));
        }

        return Write(d =>
        {
            var build = Current(d, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            if (!build.IsRunning)
            {
                throw DepotErrors.Precondition($"build {buildId} already finished ({build.State.ToString().ToLowerInvariant()})");
            }

            var now = _clock.GetUtcNow();
            var finished = build with { State = result, FinishedAt = now, Error = result == BuildState.Failed ? error ?? "" : null };
            d.Builds[buildId] = finished;
            ExpireBuildToken(d, finished, now + BuildTokenGrace);
            return finished;
        });
    }

    /// <summary>Asks the builder to stop, as Depot's dashboard does: the next health report tells the CLI to release it.</summary>
    public Build CancelBuild(string buildId) =>
        Write(d =>
        {
            var build = Running(d, buildId);
            var cancelling = build with { CancelsAt = build.CancelsAt ?? _clock.GetUtcNow() };
            d.Builds[buildId] = cancelling;
            return cancelling;
        });

    /// <summary>Adds a Dockerfile a build read (a bake reads several, concurrently).</summary>
    public void AddDockerfile(string buildId, BuildDockerfile dockerfile) =>
        Write(d =>
        {
            _ = Current(d, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            if (!d.Dockerfiles.TryGetValue(buildId, out var list))
            {
                d.Dockerfiles[buildId] = list = [];
            }

            list.Add(dockerfile);
            return true;
        });

    public void RecordDockerfiles(string buildId, IReadOnlyList<BuildDockerfile> dockerfiles) =>
        Write(d =>
        {
            var build = Current(d, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            d.Dockerfiles[buildId] = dockerfiles.ToList();
            return build;
        });

    public IReadOnlyList<BuildDockerfile> Dockerfiles(string buildId) =>
        Read(d => d.Dockerfiles.GetValueOrDefault(buildId)?.ToList() ?? []);

    public Build ShareBuild(string buildId) =>
        Write(d =>
        {
            var build = Current(d, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            var shared = build with { ShareId = build.ShareId ?? _ids.Id("share_") };
            d.Builds[buildId] = shared;
            return shared;
        });

    public Build StopSharingBuild(string buildId) =>
        Write(d =>
        {
            var build = Current(d, buildId) ?? throw DepotErrors.NotFound("build", buildId);
            var unshared = build with { ShareId = null };
            d.Builds[buildId] = unshared;
            return unshared;
        });

    public Build? FindSharedBuild(string shareId) =>
        Write(d => d.Builds.Values.FirstOrDefault(b => b.ShareId == shareId) is { } b ? Current(d, b.Id) : null);

    private Build Running(Data d, string buildId)
    {
        var build = Current(d, buildId) ?? throw DepotErrors.NotFound("build", buildId);
        return build.IsRunning ? build
            : throw DepotErrors.Precondition($"build {buildId} is not running: it {Describe(build)}");
    }

    /// <summary>The build as of now: a running build whose health reports stopped has been reclaimed.</summary>
    private Build? Current(Data d, string id)
    {
        if (d.Builds.GetValueOrDefault(id) is not { } build)
        {
            return null;
        }

        var deadline = build.LastHealthAt + BuildHealthTimeout;
        if (build.IsRunning && deadline <= _clock.GetUtcNow())
        {
            build = build with
            {
                State = BuildState.Expired,
                FinishedAt = deadline,
                Error = $"no health report for {BuildHealthTimeout.TotalMinutes:0} minutes; the builder was reclaimed",
            };
            d.Builds[id] = build;
            ExpireBuildToken(d, build, deadline + BuildTokenGrace);
        }

        return build;
    }

    private static void ExpireBuildToken(Data d, Build build, DateTimeOffset at)
    {
        foreach (var (key, token) in d.Tokens)
        {
            if (token.Id == build.TokenId)
            {
                d.Tokens[key] = token with { ExpiresAt = token.ExpiresAt is { } e && e < at ? e : at };
                return;
            }
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
