using Depot.Emulator.Domain.Authorization;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator;

/// <summary>Settings, from the command line (<c>--port 4500</c>) or the environment (<c>DEPOT_EMULATOR_PORT</c>).</summary>
public sealed class EmulatorOptions
{
    public const int DefaultPort = 4500;

    public int Port { get; init; } = DefaultPort;

    /// <summary><c>localhost</c> (IPv4 and IPv6 loopback), an address, or <c>0.0.0.0</c> for every interface.</summary>
    public string Host { get; init; } = "localhost";

    public string? SeedFile { get; init; }

    /// <summary>The seed document itself, for containers configured through the environment alone.</summary>
    public string? SeedText { get; init; }

    public int? RandomSeed { get; init; }

    public EnforcementMode Enforcement { get; init; } = EnforcementMode.Enforce;

    /// <summary>The URL clients reach the emulator at, when it differs from what they send as Host.</summary>
    public string? PublicUrl { get; init; }

    public int JournalCapacity { get; init; } = 1000;

    /// <summary>What the journal may hold in all, in bytes; the oldest entries go first.</summary>
    public long JournalMaxBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>When set, the control plane answers only requests that present it (shared deployments).</summary>
    public string? ControlToken { get; init; }

    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public bool DetailedErrors { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Where the fake CI providers' signing keys are kept, so their tokens and JWKS survive restarts.</summary>
    public string? OidcKeyFile { get; init; }

    /// <summary>A YAML list of further trusted issuers (real providers) with their JWKS file or URL.</summary>
    public string? OidcIssuersFile { get; init; }

    /// <summary>A real BuildKit to hand builds to instead of the built-in one.</summary>
    public BuildKitOptions? BuildKit { get; init; }

    /// <summary>Where every record (<c>state.db</c>) and the registry's blobs are kept across restarts; without it, nothing is.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Empty the data dir before starting, so it is seeded anew.</summary>
    public bool ResetData { get; init; }

    /// <summary>How long a pushed image is kept before the registry ages it out.</summary>
    public TimeSpan RegistryRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Simulated Depot CI jobs: <c>--ci-step-ms</c> is how long a step takes on the emulator's clock.</summary>
    public Domain.Ci.CiOptions Ci { get; init; } = new();

    /// <summary>
    /// Every option: its switch, the environment variable that stands for it (after <c>DEPOT_EMULATOR_</c>), its default
    /// and what it does. Parsing and <c>--help</c> both read this one list.
    /// </summary>
    private static readonly EmulatorOption[] Names =
    [
        new("port", "PORT", "4500", "The one port (HTTP/1.1 and h2c). 0 picks a free one."),
        new("host", "HOST", "localhost", "localhost binds 127.0.0.1 and ::1; 0.0.0.0 binds every interface (containers)."),
        new("seed", "SEED", "built-in demo", "A seed file, YAML or JSON."),
        new("seed-text", "SEED_TEXT", "none", "The seed itself, YAML or JSON, where no file can be mounted; --seed wins."),
        new("random-seed", "RANDOM_SEED", "random", "Makes generated ids and secrets repeat from run to run."),
        new("enforcement", "ENFORCEMENT", "enforce", "enforce: denials are errors; soft: denials are journaled as would-deny and the request goes on; off: nothing is checked."),
        new("public-url", "PUBLIC_URL", "what the client used", "The URL handed to clients (login approve URLs), when they reach the emulator by another name."),
        new("journal-capacity", "JOURNAL_CAPACITY", "1000", "Requests the journal keeps; 0 turns it off."),
        new("journal-max-mb", "JOURNAL_MAX_MB", "32", "What the journal may hold in all; the oldest entries go first."),
        new("control-token", "CONTROL_TOKEN", "none", "When set, /_emulator/* answers only requests that send it (X-Emulator-Token or Authorization: Bearer)."),
        new("login-timeout", "LOGIN_TIMEOUT", "600", "Seconds FinishLogin waits for approval before failing with deadline_exceeded."),
        new("detailed-errors", "DETAILED_ERRORS", "off", "Put exception text into internal errors."),
        new("log-level", "LOG_LEVEL", "information", "trace, debug, information, warning, error or none."),
        new("oidc-key-file", "OIDC_KEY_FILE", "none (new keys each start)", "Keeps the built-in identity providers' signing keys across restarts."),
        new("oidc-issuers", "OIDC_ISSUERS", "none", "A YAML file of extra OIDC issuers to trust, with their JWKS file or URL."),
        new("buildkit", "BUILDKIT", "built-in", "tcp://host:port of a real BuildKit to hand builds to instead of the built-in one."),
        new("buildkit-ca", "BUILDKIT_CA", "none", "PEM file of the CA handed out with --buildkit for mutual TLS."),
        new("buildkit-cert", "BUILDKIT_CERT", "none", "PEM client certificate handed out with --buildkit."),
        new("buildkit-key", "BUILDKIT_KEY", "none", "PEM client key handed out with --buildkit."),
        new("buildkit-server-name", "BUILDKIT_SERVER_NAME", "none", "The TLS server name handed out with --buildkit."),
        new("data-dir", "DATA_DIR", "none (ephemeral)", "Keeps every record (DIR/state.db) and the registry's blobs (DIR/blobs) across restarts."),
        new("reset-data", "RESET_DATA", "off", "With --data-dir: empties the data dir before start, so a new --seed can be applied."),
        new("registry-retention-days", "REGISTRY_RETENTION_DAYS", "7", "Days a pushed image is kept before the registry ages it out."),
        new("ci-step-ms", "CI_STEP_MS", "1000", "How long a simulated Depot CI step takes on the emulator's clock."),
    ];

    /// <summary>Every option, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<EmulatorOption> All => Names;

    public static EmulatorOptions Parse(string[] args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in Names)
        {
            if (environment(option.Environment) is { Length: > 0 } value)
            {
                values[option.Switch] = value;
            }
        }

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw Usage($"unexpected argument \"{arg}\"");
            }

            var split = arg.IndexOf('=');
            var name = split > 0 ? arg[2..split] : arg[2..];
            if (!Array.Exists(Names, n => n.Switch == name))
            {
                throw Usage($"unknown option --{name}");
            }

            values[name] = split > 0 ? arg[(split + 1)..]
                : i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i]
                : "true";
        }

        return new EmulatorOptions
        {
            Port = Int(values, "port", DefaultPort, 0, 65535),
            Host = values.GetValueOrDefault("host", "localhost"),
            SeedFile = values.GetValueOrDefault("seed"),
            SeedText = values.GetValueOrDefault("seed-text"),
            RandomSeed = values.ContainsKey("random-seed") ? Int(values, "random-seed", 0, int.MinValue, int.MaxValue) : null,
            Enforcement = values.GetValueOrDefault("enforcement", "enforce") switch
            {
                "enforce" => EnforcementMode.Enforce,
                "soft" => EnforcementMode.Soft,
                "off" => EnforcementMode.Off,
                var other => throw Usage($"--enforcement must be enforce, soft or off: got \"{other}\""),
            },
            PublicUrl = values.GetValueOrDefault("public-url")?.TrimEnd('/'),
            JournalCapacity = Int(values, "journal-capacity", 1000, 0, 1_000_000),
            JournalMaxBytes = Int(values, "journal-max-mb", 32, 1, 4096) * 1024L * 1024,
            ControlToken = values.GetValueOrDefault("control-token") is { Length: > 0 } control ? control : null,
            LoginTimeout = TimeSpan.FromSeconds(Int(values, "login-timeout", 600, 1, 86_400)),
            DetailedErrors = values.GetValueOrDefault("detailed-errors") is "true" or "1",
            LogLevel = Enum.TryParse<LogLevel>(values.GetValueOrDefault("log-level", "information"), ignoreCase: true, out var level)
                ? level
                : throw Usage($"--log-level must be trace, debug, information, warning, error or none: got \"{values["log-level"]}\""),
            OidcKeyFile = values.GetValueOrDefault("oidc-key-file"),
            OidcIssuersFile = values.GetValueOrDefault("oidc-issuers"),
            BuildKit = BuildKitOptions.From(values),
            DataDirectory = values.GetValueOrDefault("data-dir") is { } dir ? Path.GetFullPath(dir) : null,
            ResetData = values.GetValueOrDefault("reset-data") is "true" or "1"
                ? values.ContainsKey("data-dir") ? true : throw Usage("--reset-data needs --data-dir")
                : false,
            RegistryRetention = TimeSpan.FromDays(Int(values, "registry-retention-days", 7, 1, 3650)),
            Ci = new Domain.Ci.CiOptions { StepDuration = TimeSpan.FromMilliseconds(Int(values, "ci-step-ms", 1000, 0, 86_400_000)) },
        };
    }

    private static int Int(Dictionary<string, string> values, string name, int fallback, int min, int max)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw Usage($"--{name} must be a whole number from {min} to {max}: got \"{text}\"");
    }

    private static DepotException Usage(string message) => DepotErrors.Invalid(message);
}

/// <summary>One option as <c>--help</c> shows it; <paramref name="Env"/> is the variable's name after <c>DEPOT_EMULATOR_</c>.</summary>
public sealed record EmulatorOption(string Switch, string Env, string Default, string Meaning)
{
    public string Environment => "DEPOT_EMULATOR_" + Env;
}

/// <summary><c>--buildkit tcp://host:port</c> with optional client certificates (<c>--buildkit-cert</c>, <c>--buildkit-key</c>, <c>--buildkit-ca</c>).</summary>
public sealed record BuildKitOptions(string Endpoint, string? CaFile, string? CertFile, string? KeyFile, string? ServerName)
{
    internal static BuildKitOptions? From(Dictionary<string, string> values)
    {
        var tls = new[] { "buildkit-ca", "buildkit-cert", "buildkit-key", "buildkit-server-name" };
        if (!values.TryGetValue("buildkit", out var endpoint))
        {
            return tls.FirstOrDefault(values.ContainsKey) is { } orphan
                ? throw DepotErrors.Invalid($"--{orphan} needs --buildkit tcp://host:port")
                : null;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "tcp" || uri.Port <= 0 || uri.AbsolutePath != "/")
        {
            throw DepotErrors.Invalid($"--buildkit must be tcp://host:port: got \"{endpoint}\"");
        }

        var options = new BuildKitOptions(endpoint, values.GetValueOrDefault("buildkit-ca"), values.GetValueOrDefault("buildkit-cert"),
            values.GetValueOrDefault("buildkit-key"), values.GetValueOrDefault("buildkit-server-name"));
        if ((options.CertFile is null) != (options.KeyFile is null))
        {
            throw DepotErrors.Invalid("--buildkit-cert and --buildkit-key go together");
        }

        if (options.CertFile is not null && options.CaFile is null)
        {
            throw DepotErrors.Invalid("--buildkit-cert needs --buildkit-ca: the CLI uses TLS only with both");
        }

        foreach (var file in new[] { options.CaFile, options.CertFile, options.KeyFile })
        {
            if (file is not null && !File.Exists(file))
            {
                throw DepotErrors.Invalid($"{file} does not exist");
            }
        }

        return options;
    }
}
