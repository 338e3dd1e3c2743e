using System.Collections.Concurrent;
using Depot.Emulator.BuildKit;
using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Builds;

/// <summary>
/// Ties BuildKit connections to Depot builds. Every build reaches the built-in BuildKit at the same address, so
/// a new connection is taken to serve the build that was handed the builder longest ago and has not connected
/// yet. The build's project (and its cache generation, which <c>depot cache reset</c> moves on) is its cache scope.
/// </summary>
public sealed class DepotBuildKitHost(DepotState state) : IBuildKitHost
{
    /// <summary>A client dials its builder right after it is handed out; a build that has not by then never will.</summary>
    private static readonly TimeSpan ConnectWithin = TimeSpan.FromSeconds(30);

    /// <summary>Depot's registry, which the CLI names without asking (<c>--save</c> on a build it did not create).</summary>
    private const string DepotRegistry = "registry.depot.dev";

    private readonly ConcurrentQueue<(string BuildId, DateTimeOffset At)> _handedOut = new();

    /// <summary>The emulator's registry as its clients reach it: the address the builder was last handed out at.</summary>
    private volatile string? _registry;

    /// <summary>A build was handed the built-in builder at <paramref name="authority"/>: the next connection is probably its.</summary>
    public void BuilderHandedOut(string buildId, string authority)
    {
        _registry = authority;
        if (!_handedOut.Any(h => h.BuildId == buildId))
        {
            _handedOut.Enqueue((buildId, state.Clock.GetUtcNow()));
        }
    }

    public BuildKitClaim? Claim(string connectionId)
    {
        var now = state.Clock.GetUtcNow();
        while (_handedOut.TryDequeue(out var handedOut))
        {
            if (now - handedOut.At <= ConnectWithin && state.FindBuild(handedOut.BuildId) is { IsRunning: true } build &&
                state.FindProject(build.ProjectId) is { } project)
            {
                return new BuildKitClaim(build.Id, $"{project.Id}#{project.CacheResets}");
            }
        }

        return null;
    }

    /// <summary>Depot's builders report their own progress; the CLI's reports of the same vertices merge with it.</summary>
    public void ProgressPublished(BuildKitClaim claim, Moby.BuildKit.V1.StatusResponse batch)
    {
        if (state.FindBuild(claim.BuildId) is not null)
        {
            Services.BuildMapping.Record(state.Progress(claim.BuildId), [batch]);
        }
    }

    /// <summary>
    /// Depot's registry names go to the emulator's own registry: <c>registry.depot.dev/&lt;project&gt;</c> to the
    /// project's repository, <c>&lt;org&gt;.registry.depot.dev/&lt;repo&gt;</c> to the organization's (path form).
    /// </summary>
    public string PushTarget(string reference)
    {
        var slash = reference.IndexOf('/');
        if (_registry is not { } registry || slash < 0)
        {
            return reference;
        }

        var host = reference[..slash];
        return host == DepotRegistry ? registry + reference[slash..]
            : host.EndsWith("." + DepotRegistry, StringComparison.Ordinal) ? $"{registry}/{host[..^(DepotRegistry.Length + 1)]}{reference[slash..]}"
            : reference;
    }

    public void DockerfileRead(BuildKitClaim claim, string filename, string target, string contents)
    {
        if (state.FindBuild(claim.BuildId) is not null)
        {
            state.AddDockerfile(claim.BuildId, new BuildDockerfile(target, filename, contents));
        }
    }
}
