using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;

namespace Depot.Emulator.Testcontainers;

/// <inheritdoc cref="ContainerConfiguration" />
public sealed class DepotEmulatorConfiguration : ContainerConfiguration
{
    /// <param name="seed">The seed document the container starts with; null for the built-in demo seed.</param>
    public DepotEmulatorConfiguration(string? seed = null) => Seed = seed;

    public DepotEmulatorConfiguration(IResourceConfiguration<CreateContainerParameters> resourceConfiguration)
        : base(resourceConfiguration)
    {
    }

    public DepotEmulatorConfiguration(IContainerConfiguration resourceConfiguration)
        : base(resourceConfiguration)
    {
    }

    public DepotEmulatorConfiguration(DepotEmulatorConfiguration resourceConfiguration)
        : this(new DepotEmulatorConfiguration(), resourceConfiguration)
    {
    }

    public DepotEmulatorConfiguration(DepotEmulatorConfiguration oldValue, DepotEmulatorConfiguration newValue)
        : base(oldValue, newValue) => Seed = BuildConfiguration.Combine(oldValue.Seed, newValue.Seed);

    /// <summary>The seed document (YAML or JSON), so the container can hand out its tokens.</summary>
    public string? Seed { get; }
}
