using Depot.Emulator.Domain.Authorization;
using Microsoft.Extensions.Logging;

namespace Depot.Emulator.Testing;

/// <summary>Where the emulator listens inside the test process.</summary>
public enum EmulatorTransport
{
    /// <summary>A free port on 127.0.0.1, for real clients (the depot CLI, the Node SDK, skopeo).</summary>
    Loopback,

    /// <summary>ASP.NET Core's in-memory test server: no socket, reached through <see cref="DepotEmulator.CreateClient"/>.</summary>
    TestServer,
}

/// <summary>How to start an in-process emulator; anything not covered here goes in <see cref="Arguments"/> as on the command line.</summary>
public sealed record DepotEmulatorSettings
{
    public EmulatorTransport Transport { get; init; } = EmulatorTransport.Loopback;

    /// <summary>A seed file (YAML or JSON); without it and <see cref="SeedText"/>, the built-in demo seed.</summary>
    public string? SeedFile { get; init; }

    /// <summary>The seed itself, YAML or JSON.</summary>
    public string? SeedText { get; init; }

    public EnforcementMode Enforcement { get; init; } = EnforcementMode.Enforce;

    /// <summary>Fixes generated ids and secrets, so snapshots repeat.</summary>
    public int? RandomSeed { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    /// <summary>Further emulator options, e.g. <c>["--journal-capacity", "50"]</c> (see <c>depot-emulator --help</c>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The command line these settings stand for.</summary>
    public IReadOnlyList<string> ToArguments()
    {
        List<string> args = ["--log-level", LogLevel.ToString().ToLowerInvariant(), "--enforcement", Enforcement.ToString().ToLowerInvariant()];
        if (SeedFile is not null)
        {
            args.AddRange(["--seed", SeedFile]);
        }

        if (SeedText is not null)
        {
            args.Add("--seed-text=" + SeedText);  // one argument: a YAML document may start with "---"
        }

        if (RandomSeed is { } seed)
        {
            args.AddRange(["--random-seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        args.AddRange(Arguments);
        return args;
    }
}
