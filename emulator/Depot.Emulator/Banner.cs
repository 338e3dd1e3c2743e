using Depot.Emulator.Connect.Hosting;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator;

/// <summary>What a person needs after start: the URL, the exports, and the seeded tokens.</summary>
public static class Banner
{
    public static int Port(WebApplication app)
    {
        var options = app.Services.GetRequiredService<EmulatorOptions>();
        return app.Services.GetService<SharedPortTransportFactory>()?.BoundPort(options.Host, options.Port) ?? options.Port;
    }

    public static string Url(WebApplication app)
    {
        var options = app.Services.GetRequiredService<EmulatorOptions>();
        if (options.PublicUrl is { } url)
        {
            return url;
        }

        var host = options.Host is "0.0.0.0" or "*" or "+" or "::" or "[::]" ? "localhost" : options.Host;
        return $"http://{(host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host)}:{Port(app)}";
    }

    public static void Print(WebApplication app, TextWriter output)
    {
        var options = app.Services.GetRequiredService<EmulatorOptions>();
        var state = app.Services.GetRequiredService<DepotState>();
        var url = Url(app);
        output.WriteLine($"Depot emulator listening on {url} (HTTP/1.1 and h2c), enforcement: {options.Enforcement.ToString().ToLowerInvariant()}");
        output.WriteLine();
        output.WriteLine($"  export DEPOT_API_URL={url}");
        output.WriteLine("  export DEPOT_NO_UPDATE_NOTIFIER=1");
        output.WriteLine("  export DEPOT_ERROR_TELEMETRY=0");
        output.WriteLine("  export DEPOT_DISABLE_OTEL=1");
        output.WriteLine();
        output.WriteLine($"Seed: {options.SeedFile ?? (options.SeedText is null ? "built-in demo" : "from DEPOT_EMULATOR_SEED_TEXT")} — {state.Organizations().Count} organization(s), " +
                         $"{state.Users().Count} user(s), {state.Projects().Count} project(s)");
        foreach (var token in state.SeededTokens)
        {
            var r = token.Record;
            var scope = r.UserId ?? r.ProjectId ?? r.OrganizationId;
            // Seed files name their own secrets; only the built-in demo's and generated ones are shown.
            var secret = options.SeedFile is null ? token.Secret : "(from the seed file)";
            output.WriteLine($"  {r.Type.Name(),-18} {r.Id,-18} {scope,-14} {secret}");
        }

        output.WriteLine(options.DataDirectory is { } dir
            ? $"State: {Path.Combine(dir, "state.db")} and {Path.Combine(dir, "blobs")}, kept across restarts"
            : "State: in memory, gone when the emulator stops (--data-dir keeps it)");
        output.WriteLine();
        output.WriteLine($"Control plane: {url}/_emulator/health · /_emulator/journal · /_emulator/matrix");
        output.WriteLine(options.BuildKit is { } buildkit
            ? $"Builds: depot build runs on the BuildKit at {buildkit.Endpoint} — see docs/builds.md"
            : $"Builds: depot build runs on the built-in BuildKit at tcp://{new Uri(url).Authority} (Dockerfiles interpreted, RUN not executed) — see docs/builds.md");
        output.WriteLine($"Registry: {new Uri(url).Authority}/<project-id>:<tag> and {new Uri(url).Authority}/<org-id>/<repo>, login x-token with any Depot token (http: use --tls-verify=false)");
        output.WriteLine($"CI identity providers (OIDC issuers): {url}/_emulator/oidc/{{github|circleci/org/<uuid>|buildkite|gitlab|rwx}} — see docs/oidc.md");
        output.Flush();
    }
}
