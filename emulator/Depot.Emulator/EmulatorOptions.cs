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

    public int? RandomSeed { get; init; }

    public EnforcementMode Enforcement { get; init; } = EnforcementMode.Enforce;

    /// <summary>The URL clients reach the emulator at, when it differs from what they send as Host.</summary>
    public string? PublicUrl { get; init; }

    public int JournalCapacity { get; init; } = 1000;

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

    /// <summary>Command-line switches and the environment variables that stand for them.</summary>
    private static readonly (string Switch, string Env)[] Names =
    [
        ("port", "PORT"), ("host", "HOST"), ("seed", "SEED"), ("random-seed", "RANDOM_SEED"),
        ("enforcement", "ENFORCEMENT"), ("public-url", "PUBLIC_URL"), ("journal-capacity", "JOURNAL_CAPACITY"),
        ("login-timeout", "LOGIN_TIMEOUT"), ("detailed-errors", "DETAILED_ERRORS"), ("log-level", "LOG_LEVEL"),
        ("oidc-key-file", "OIDC_KEY_FILE"), ("oidc-issuers", "OIDC_ISSUERS"),
        ("buildkit", "BUILDKIT"), ("buildkit-ca", "BUILDKIT_CA"), ("buildkit-cert", "BUILDKIT_CERT"),
        ("buildkit-key", "BUILDKIT_KEY"), ("buildkit-server-name", "BUILDKIT_SERVER_NAME"),
        ("data-dir", "DATA_DIR"), ("reset-data", "RESET_DATA"), ("registry-retention-days", "REGISTRY_RETENTION_DAYS"),
    ];

    public static EmulatorOptions Parse(string[] args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, env) in Names)
        {
            if (environment("DEPOT_EMULATOR_" + env) is { Length: > 0 } value)
            {
                values[name] = value;
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
            if (!Names.Any(n => n.Switch == name))
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
