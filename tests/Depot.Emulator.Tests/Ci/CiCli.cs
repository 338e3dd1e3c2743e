using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Ci;

/// <summary>What the Depot CI client tests share: a git checkout for <c>depot ci run</c>, the clock, run lookups.</summary>
internal static class CiCli
{
    public static string SeedPath => Path.Combine(AppContext.BaseDirectory, "seeds", "ci.yaml");

    /// <summary>A clean checkout of acme/web with one workflow, committed at a fixed time so its sha never changes.</summary>
    public static string Checkout(string workflow)
    {
        var dir = RealClients.TempHome();
        Directory.CreateDirectory(Path.Combine(dir, ".depot", "workflows"));
        File.WriteAllText(Path.Combine(dir, ".depot", "workflows", "ci.yml"), workflow);
        Git(dir, "init", "-q", "-b", "main");
        Git(dir, "add", ".");
        Git(dir, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-q", "-m", "ci");
        Git(dir, "remote", "add", "origin", "https://github.com/acme/web.git");
        return dir;
    }

    public static Task<ProcessResult> Depot(LoopbackEmulator emulator, string token, string? cwd, params string[] args) =>
        RealClients.RunAsync(RealClients.DepotCli, args, Environment(emulator, token), TimeSpan.FromSeconds(60), cwd ?? RealClients.TempHome());

    public static RunningProcess Start(LoopbackEmulator emulator, string token, params string[] args) =>
        RunningProcess.Start(RealClients.DepotCli, args, Environment(emulator, token), RealClients.TempHome());

    private static Dictionary<string, string?> Environment(LoopbackEmulator emulator, string token)
    {
        var home = RealClients.TempHome();
        return new Dictionary<string, string?>
        {
            ["HOME"] = home, ["XDG_CONFIG_HOME"] = Path.Combine(home, ".config"), ["DEPOT_API_URL"] = emulator.Url,
            ["DEPOT_NO_UPDATE_NOTIFIER"] = "1", ["DEPOT_ERROR_TELEMETRY"] = "0", ["DEPOT_DISABLE_OTEL"] = "1", ["DEPOT_NO_SUMMARY_LINK"] = "1",
            ["DEPOT_TOKEN"] = token, ["CI"] = null, ["GITHUB_ACTIONS"] = null,
        };
    }

    public static async Task AdvanceAsync(LoopbackEmulator emulator, double seconds)
    {
        using var response = await emulator.Http.PostAsync("/_emulator/clock/advance",
            new StringContent($"{{\"seconds\": {seconds}}}", System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The organization's runs as the control plane lists them, newest first.</summary>
    public static async Task<JsonElement> RunsAsync(LoopbackEmulator emulator) =>
        (await emulator.Http.GetFromJsonAsync<JsonElement>("/_emulator/ci/org-acme/runs")).GetProperty("runs");

    public static JsonElement Job(JsonElement run, string key) =>
        run.GetProperty("workflows")[0].GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("key").GetString() == key);

    private static void Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_AUTHOR_DATE"] = "2026-01-01T00:00:00Z";
        start.Environment["GIT_COMMITTER_DATE"] = "2026-01-01T00:00:00Z";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var git = Process.Start(start)!;
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)}: {git.StandardError.ReadToEnd()}");
        }
    }
}
