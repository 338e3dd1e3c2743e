using Depot.Emulator.Domain.Authorization;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;

namespace Depot.Emulator.Testcontainers;

/// <summary>
/// Builds a container of the emulator's image (docker/Dockerfile):
/// <code>
/// await using var depot = new DepotEmulatorBuilder().WithSeed(File.ReadAllText("seed.yaml")).Build();
/// await depot.StartAsync();
/// // DEPOT_API_URL=depot.GetApiUrl(), DEPOT_TOKEN=depot.Tokens.Organization
/// </code>
/// </summary>
public sealed class DepotEmulatorBuilder : ContainerBuilder<DepotEmulatorBuilder, DepotEmulatorContainer, DepotEmulatorConfiguration>
{
    /// <summary>The tag <c>docker build -f docker/Dockerfile -t depot-emulator .</c> makes.</summary>
    public const string DepotEmulatorImage = "depot-emulator:latest";

    /// <summary>The one port: Connect API, registry and control plane.</summary>
    public const ushort DepotEmulatorPort = 4500;

    public DepotEmulatorBuilder()
        : this(DepotEmulatorImage)
    {
    }

    public DepotEmulatorBuilder(string image)
        : this(new DepotEmulatorConfiguration())
    {
        DockerResourceConfiguration = Init().WithImage(image).DockerResourceConfiguration;
    }

    private DepotEmulatorBuilder(DepotEmulatorConfiguration resourceConfiguration)
        : base(resourceConfiguration)
    {
        DockerResourceConfiguration = resourceConfiguration;
    }

    protected override DepotEmulatorConfiguration DockerResourceConfiguration { get; }

    /// <summary>Starts with this seed (YAML or JSON), handed over in <c>DEPOT_EMULATOR_SEED_TEXT</c>.</summary>
    public DepotEmulatorBuilder WithSeed(string seed) =>
        Merge(DockerResourceConfiguration, new DepotEmulatorConfiguration(seed))
            .WithEnvironment("DEPOT_EMULATOR_SEED_TEXT", seed);

    /// <summary>enforce (the default), soft (denials journaled as would-deny) or off.</summary>
    public DepotEmulatorBuilder WithEnforcement(EnforcementMode mode) =>
        WithEnvironment("DEPOT_EMULATOR_ENFORCEMENT", mode.ToString().ToLowerInvariant());

    /// <summary>Fixes generated ids and secrets, so runs repeat.</summary>
    public DepotEmulatorBuilder WithRandomSeed(int seed) =>
        WithEnvironment("DEPOT_EMULATOR_RANDOM_SEED", seed.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public override DepotEmulatorContainer Build()
    {
        Validate();
        return new DepotEmulatorContainer(DockerResourceConfiguration);
    }

    protected override DepotEmulatorBuilder Init() =>
        base.Init()
            .WithPortBinding(DepotEmulatorPort, true)
            .WithEnvironment("DEPOT_EMULATOR_PORT", DepotEmulatorPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("DEPOT_EMULATOR_HOST", "0.0.0.0")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(request =>
                request.ForPort(DepotEmulatorPort).ForPath("/_emulator/health")));

    protected override DepotEmulatorBuilder Clone(IResourceConfiguration<CreateContainerParameters> resourceConfiguration) =>
        Merge(DockerResourceConfiguration, new DepotEmulatorConfiguration(resourceConfiguration));

    protected override DepotEmulatorBuilder Clone(IContainerConfiguration resourceConfiguration) =>
        Merge(DockerResourceConfiguration, new DepotEmulatorConfiguration(resourceConfiguration));

    protected override DepotEmulatorBuilder Merge(DepotEmulatorConfiguration oldValue, DepotEmulatorConfiguration newValue) =>
        new(new DepotEmulatorConfiguration(oldValue, newValue));
}
