using System.Reflection;
using System.Text;

namespace Depot.Emulator;

/// <summary>What the command line does besides running the emulator: <c>--help</c>, <c>--version</c> and <c>health</c>.</summary>
public static class CommandLine
{
    public static string Version { get; } = typeof(CommandLine).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static string Help()
    {
        var text = new StringBuilder()
            .AppendLine($"depot-emulator {Version}: a local, offline stand-in for Depot's API, registry, builds and OIDC trust.")
            .AppendLine()
            .AppendLine("Usage: depot-emulator [--option value ...]")
            .AppendLine("       depot-emulator health      exit 0 when the emulator on DEPOT_EMULATOR_PORT answers /_emulator/health")
            .AppendLine("       depot-emulator --version")
            .AppendLine()
            .AppendLine("Each option is a flag or its environment variable; the flag wins.")
            .AppendLine();
        foreach (var option in EmulatorOptions.All)
        {
            text.AppendLine($"  --{option.Switch,-26} {option.Environment,-42} default: {option.Default}")
                .AppendLine($"      {option.Meaning}");
        }

        return text.ToString();
    }

    /// <summary>
    /// The container's health check: asks the emulator in this container (port from the environment) for
    /// <c>/_emulator/health</c>, so the image needs no curl.
    /// </summary>
    public static async Task<int> HealthAsync(Func<string, string?> environment, TextWriter output)
    {
        var options = EmulatorOptions.Parse([], environment);
        var host = options.Host is "0.0.0.0" or "*" or "+" or "localhost" ? "127.0.0.1" : options.Host is "::" or "[::]" ? "[::1]" : options.Host;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync($"http://{host}:{options.Port}/_emulator/health");
            output.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            output.WriteLine("unhealthy: " + e.Message);
            return 1;
        }
    }
}
