using Depot.Emulator.Testcontainers;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Packaging;

/// <summary>One container of the image, seeded with the acme test seed, shared by a test class.</summary>
public sealed class AcmeContainer : IAsyncLifetime
{
    private DepotEmulatorContainer? _container;

    public DepotEmulatorContainer Container => _container ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _container = EmulatorImage.Builder().WithSeed(File.ReadAllText(TestSeeds.AcmePath)).Build();
        await _container.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
