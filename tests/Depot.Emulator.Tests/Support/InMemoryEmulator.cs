using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Depot.Emulator.Tests.Support;

/// <summary>The whole emulator on ASP.NET Core's in-memory test server: raw HTTP, no sockets.</summary>
public sealed class InMemoryEmulator : IAsyncDisposable
{
    /// <summary>
    /// <c>sqlite</c> runs every in-process test on a durable emulator, each with a data dir of its own; unset, on
    /// the in-memory stores. The test command runs the host suite both ways.
    /// </summary>
    public const string StoreVariable = "DEPOT_EMULATOR_TEST_STORE";

    private readonly string? _dataDir;

    private InMemoryEmulator(WebApplication app, string? dataDir)
    {
        App = app;
        _dataDir = dataDir;
        Http = app.GetTestClient();
        Connect = new ConnectTestClient(Http);
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public ConnectTestClient Connect { get; }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<InMemoryEmulator> StartAsync(params string[] args)
    {
        string[] given = args.Length == 0 ? ["--seed", TestSeeds.AcmePath] : args;
        var dataDir = Environment.GetEnvironmentVariable(StoreVariable) == "sqlite" && !given.Contains("--data-dir")
            ? Directory.CreateTempSubdirectory("depot-emulator-test-").FullName
            : null;
        try
        {
            var app = EmulatorApp.Build(["--log-level", "warning", .. given, .. dataDir is null ? [] : new[] { "--data-dir", dataDir }],
                b => b.WebHost.UseTestServer());
            await app.StartAsync();
            return new InMemoryEmulator(app, dataDir);
        }
        catch when (dataDir is not null)
        {
            Directory.Delete(dataDir, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
        if (_dataDir is not null)
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}

/// <summary>The emulator on a real loopback port, as the real clients reach it.</summary>
public sealed class LoopbackEmulator : IAsyncDisposable
{
    private LoopbackEmulator(WebApplication app)
    {
        App = app;
        Url = Banner.Url(app);
        Http = new HttpClient { BaseAddress = new Uri(Url) };
    }

    public WebApplication App { get; }

    public string Url { get; }

    public HttpClient Http { get; }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<LoopbackEmulator> StartAsync(params string[] args)
    {
        var app = EmulatorApp.Build(["--port", "0", "--host", "127.0.0.1", "--log-level", "warning", .. (args.Length == 0 ? ["--seed", TestSeeds.AcmePath] : args)]);
        await app.StartAsync();
        return new LoopbackEmulator(app);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
