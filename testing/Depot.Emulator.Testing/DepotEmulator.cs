using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Time;
using Depot.Emulator.Journal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Depot.Emulator.Testing;

/// <summary>
/// The whole emulator inside the test process. Each instance has its own state, seeded at start; dispose it to stop it.
/// <code>
/// await using var depot = await DepotEmulator.StartAsync(new() { SeedFile = "seed.yaml" });
/// Environment.SetEnvironmentVariable("DEPOT_API_URL", depot.Url);
/// </code>
/// </summary>
public sealed class DepotEmulator : IAsyncDisposable
{
    private DepotEmulator(WebApplication app, EmulatorTransport transport)
    {
        App = app;
        Transport = transport;
        Url = transport == EmulatorTransport.Loopback ? Banner.Url(app) : "http://localhost";
        Http = CreateClient();
        Tokens = new EmulatorTokens(State);
    }

    public WebApplication App { get; }

    public EmulatorTransport Transport { get; }

    /// <summary>The API URL (<c>DEPOT_API_URL</c>); on the test server only <see cref="CreateClient"/> reaches it.</summary>
    public string Url { get; }

    /// <summary>The registry's host:port, as <c>docker login</c> and skopeo name it.</summary>
    public string RegistryAddress => new Uri(Url).Authority;

    /// <summary>A client the emulator owns, disposed with it.</summary>
    public HttpClient Http { get; }

    /// <summary>Seeded token secrets by type, and new tokens of every type.</summary>
    public EmulatorTokens Tokens { get; }

    /// <summary>The requests the emulator has seen, with their decisions (<c>GET /_emulator/journal</c> in process).</summary>
    public RequestJournal Journal => Service<RequestJournal>();

    /// <summary>The emulator's clock: <c>Clock.Advance(TimeSpan.FromHours(2))</c> expires a pull token without waiting.</summary>
    public EmulatorClock Clock => Service<EmulatorClock>();

    public DepotState State => Service<DepotState>();

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>A new client for the emulator's base address; the caller disposes it.</summary>
    public HttpClient CreateClient() => Transport == EmulatorTransport.TestServer
        ? App.GetTestClient()
        : new HttpClient { BaseAddress = new Uri(Url) };

    /// <summary>Puts the state back to the seed, as <c>POST /_emulator/reset</c> does.</summary>
    public void Reset() => State.Reset();

    public static Task<DepotEmulator> StartAsync(DepotEmulatorSettings? settings = null, CancellationToken cancellationToken = default)
    {
        settings ??= new DepotEmulatorSettings();
        return StartAsync(settings.Transport, settings.ToArguments(), cancellationToken);
    }

    /// <summary>Starts with emulator options as on the command line; the transport decides the port and host.</summary>
    public static async Task<DepotEmulator> StartAsync(EmulatorTransport transport, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        var app = transport == EmulatorTransport.Loopback
            ? EmulatorApp.Build(["--port", "0", "--host", "127.0.0.1", .. arguments])
            : EmulatorApp.Build([.. arguments], b => b.WebHost.UseTestServer());
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new DepotEmulator(app, transport);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
