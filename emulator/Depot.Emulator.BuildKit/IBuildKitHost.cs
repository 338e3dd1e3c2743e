namespace Depot.Emulator.BuildKit;

/// <summary>The build a BuildKit connection serves, as its host knows it.</summary>
/// <param name="CacheScope">Steps cached under one scope are cached for every build of that scope.</param>
public sealed record BuildKitClaim(string BuildId, string CacheScope);

/// <summary>What the BuildKit stand-in asks of the application that hosts it.</summary>
public interface IBuildKitHost
{
    /// <summary>The build a new connection serves, or null when the host does not know.</summary>
    BuildKitClaim? Claim(string connectionId);

    /// <summary>A Dockerfile the build read, as Depot's builders report it.</summary>
    void DockerfileRead(BuildKitClaim claim, string filename, string target, string contents);

    /// <summary>A batch of the build's progress, as the builder publishes it to the client.</summary>
    void ProgressPublished(BuildKitClaim claim, Moby.BuildKit.V1.StatusResponse batch);

    /// <summary>
    /// Where an image named <paramref name="reference"/> is pushed: the reference itself, or another one for
    /// names the host serves itself, so that such a push stays on the machine.
    /// </summary>
    string PushTarget(string reference);
}

/// <summary>A host that knows no builds: one shared cache, nothing reported.</summary>
public sealed class StandaloneBuildKitHost : IBuildKitHost
{
    public BuildKitClaim? Claim(string connectionId) => null;

    public void DockerfileRead(BuildKitClaim claim, string filename, string target, string contents)
    {
    }

    public void ProgressPublished(BuildKitClaim claim, Moby.BuildKit.V1.StatusResponse batch)
    {
    }

    public string PushTarget(string reference) => reference;
}
