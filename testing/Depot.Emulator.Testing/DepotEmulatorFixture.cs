using Xunit;

namespace Depot.Emulator.Testing;

/// <summary>
/// An xunit v3 class fixture: one emulator per test class, started before its first test and stopped after its last.
/// Derive to choose the seed or transport:
/// <code>
/// public sealed class AcmeDepot : DepotEmulatorFixture
/// {
///     protected override DepotEmulatorSettings Settings => new() { SeedFile = "seeds/acme.yaml" };
/// }
/// public sealed class ProjectTests(AcmeDepot depot) : IClassFixture&lt;AcmeDepot&gt; { … depot.Emulator.Url … }
/// </code>
/// </summary>
public class DepotEmulatorFixture : IAsyncLifetime
{
    private DepotEmulator? _emulator;

    protected virtual DepotEmulatorSettings Settings => new();

    public DepotEmulator Emulator => _emulator ?? throw new InvalidOperationException("the emulator starts in InitializeAsync");

    public string Url => Emulator.Url;

    public EmulatorTokens Tokens => Emulator.Tokens;

    public async ValueTask InitializeAsync() => _emulator = await DepotEmulator.StartAsync(Settings, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
