using System.Globalization;
using DotNet.Testcontainers.Containers;

namespace Depot.Emulator.Testcontainers;

/// <inheritdoc cref="DockerContainer" />
public sealed class DepotEmulatorContainer(DepotEmulatorConfiguration configuration) : DockerContainer(configuration)
{
    /// <summary>The seed's tokens by type (the built-in demo seed's without <c>WithSeed</c>).</summary>
    public SeededTokens Tokens { get; } = SeededTokens.From(configuration.Seed);

    /// <summary><c>DEPOT_API_URL</c> for the CLI and the Node SDK, on the published port.</summary>
    public string GetApiUrl() => $"http://{Hostname}:{GetMappedPublicPort(DepotEmulatorBuilder.DepotEmulatorPort).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The registry's host:port, for <c>docker login</c>, skopeo and image names.</summary>
    public string GetRegistryAddress() => $"{Hostname}:{GetMappedPublicPort(DepotEmulatorBuilder.DepotEmulatorPort).ToString(CultureInfo.InvariantCulture)}";
}
