using Depot.Emulator.Testing;
using Microsoft.AspNetCore.Builder;

namespace Depot.Emulator.Tests.Support;

/// <summary>The whole emulator on ASP.NET Core's in-memory test server (Depot.Emulator.Testing): raw HTTP, no sockets.</summary>
public sealed class InMemoryEmulator : IAsyncDisposable
{
    /// <summary>
    /// <c>sqlite</c> runs every in-process test on a durable emulator, each with a data dir of its own; unset, on
    /// the in-memory stores. The test command runs the host suite both ways.
    /// </summary>
    public const string StoreVariable = "DEPOT_EMULATOR_TEST_STORE";

    private readonly string? _dataDir;

    private InMemoryEmulator(DepotEmulator emulator, string? dataDir)
    {
        Emulator = emulator;
        _dataDir = dataDir;
        Connect = new ConnectTestClient(emulator.Http);
    }

    public DepotEmulator Emulator { get; }

    public WebApplication App => Emulator.App;

    public HttpClient Http => Emulator.Http;

    public ConnectTestClient Connect { get; }

    public T Service<T>()
        where T : notnull => Emulator.Service<T>();

    /// <summary>Emulator options as on the command line; without any, the acme test seed.</summary>
    public static async Task<InMemoryEmulator> StartAsync(params string[] args)
    {
        var dataDir = Environment.GetEnvironmentVariable(StoreVariable) == "sqlite" && !args.Contains("--data-dir")
            ? Directory.CreateTempSubdirectory("depot-emulator-test-").FullName
            : null;
        try
        {
            var arguments = TestArguments(args);
            return new(await DepotEmulator.StartAsync(EmulatorTransport.TestServer,
                dataDir is null ? arguments : [.. arguments, "--data-dir", dataDir]), dataDir);
        }
        catch when (dataDir is not null)
        {
            Directory.Delete(dataDir, recursive: true);
            throw;
        }
    }

    internal static string[] TestArguments(string[] args) =>
        ["--log-level", "warning", .. (args.Length == 0 ? ["--seed", TestSeeds.AcmePath] : args)];

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        if (_dataDir is not null)
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}

/// <summary>The emulator on a real loopback port (Depot.Emulator.Testing), as the real clients reach it.</summary>
public sealed class LoopbackEmulator : IAsyncDisposable
{
    private LoopbackEmulator(DepotEmulator emulator) => Emulator = emulator;

    public DepotEmulator Emulator { get; }

    public WebApplication App => Emulator.App;

    public string Url => Emulator.Url;

    public HttpClient Http => Emulator.Http;

    public T Service<T>()
        where T : notnull => Emulator.Service<T>();

    /// <summary>Emulator options as on the command line; without any, the acme test seed.</summary>
    public static async Task<LoopbackEmulator> StartAsync(params string[] args) =>
        new(await DepotEmulator.StartAsync(EmulatorTransport.Loopback, InMemoryEmulator.TestArguments(args)));

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();
}
