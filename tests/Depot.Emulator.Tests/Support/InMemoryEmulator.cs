using Depot.Emulator.Testing;
using Microsoft.AspNetCore.Builder;

namespace Depot.Emulator.Tests.Support;

/// <summary>The whole emulator on ASP.NET Core's in-memory test server (Depot.Emulator.Testing): raw HTTP, no sockets.</summary>
public sealed class InMemoryEmulator : IAsyncDisposable
{
    private InMemoryEmulator(DepotEmulator emulator)
    {
        Emulator = emulator;
        Connect = new ConnectTestClient(emulator.Http);
    }

    public DepotEmulator Emulator { get; }

    public WebApplication App => Emulator.App;

    public HttpClient Http => Emulator.Http;

    public ConnectTestClient Connect { get; }

    public T Service<T>()
        where T : notnull => Emulator.Service<T>();

    /// <summary>Emulator options as on the command line; without any, the acme test seed.</summary>
    public static async Task<InMemoryEmulator> StartAsync(params string[] args) =>
        new(await DepotEmulator.StartAsync(EmulatorTransport.TestServer, TestArguments(args)));

    internal static string[] TestArguments(string[] args) =>
        ["--log-level", "warning", .. (args.Length == 0 ? ["--seed", TestSeeds.AcmePath] : args)];

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();
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
