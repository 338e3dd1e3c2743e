namespace Depot.Emulator.Builds;

/// <summary>A BuildKit endpoint as handed to clients, with the PEM material for mTLS when there is any.</summary>
public sealed record BuilderEndpoint(string Endpoint, string ServerName, string Cert, string Key, string CaCert);

/// <summary>
/// Where builds run: the emulator's own BuildKit on its one port, or the BuildKit named by <c>--buildkit</c>
/// for users who run a real one.
/// </summary>
public sealed class BuilderEndpoints(EmulatorOptions options, PublicUrls urls, DepotBuildKitHost host)
{
    private readonly BuilderEndpoint? _external = options.BuildKit is { } external ? Load(external) : null;

    public bool IsBuiltIn => _external is null;

    /// <summary>The endpoint a build's client is to dial now.</summary>
    public BuilderEndpoint HandOut(HttpContext http, string buildId)
    {
        if (_external is not null)
        {
            return _external;
        }

        var authority = urls.Authority(http);
        host.BuilderHandedOut(buildId, authority);
        return new BuilderEndpoint("tcp://" + authority, new Uri("tcp://" + authority).Host, "", "", "");
    }

    private static BuilderEndpoint Load(BuildKitOptions external)
    {
        var uri = new Uri(external.Endpoint);
        return new BuilderEndpoint(
            external.Endpoint,
            external.ServerName ?? uri.Host,
            Read(external.CertFile),
            Read(external.KeyFile),
            Read(external.CaFile));
    }

    private static string Read(string? path) => path is null ? "" : File.ReadAllText(path);
}
