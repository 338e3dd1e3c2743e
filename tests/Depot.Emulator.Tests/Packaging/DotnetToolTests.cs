using System.Net;
using System.Net.Sockets;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Packaging;

/// <summary><c>dotnet pack</c> makes the tool depot-emulator; installed from the packed folder it runs as the README says.</summary>
public sealed class DotnetToolTests
{
    private static readonly string Root = Path.GetDirectoryName(RealClients.TestsDirectory)!;

    [Fact]
    public async Task The_packed_tool_installs_from_its_folder_and_serves_the_real_cli()
    {
        var work = Path.Combine(Path.GetTempPath(), "depot-emulator-tool", Guid.NewGuid().ToString("N"));
        var feed = Path.Combine(work, "feed");
        var tools = Path.Combine(work, "tools");
        var packed = await Dotnet([], "pack", Path.Combine(Root, "emulator", "Depot.Emulator", "Depot.Emulator.csproj"), "--no-build", "-c", Configuration, "-o", feed);
        Assert.True(packed.ExitCode == 0, packed.Output);
        // A private package folder: the machine's cache may hold an older package of the same version.
        var installed = await Dotnet(new() { ["NUGET_PACKAGES"] = Path.Combine(work, "packages") },
            "tool", "install", "depot-emulator", "--tool-path", tools, "--add-source", feed, "--version", CommandLine.Version);
        Assert.True(installed.ExitCode == 0, installed.Output);
        var tool = Path.Combine(tools, "depot-emulator");

        var version = await RealClients.RunAsync(tool, ["--version"], new Dictionary<string, string?>(), TimeSpan.FromSeconds(60));
        Assert.Equal(CommandLine.Version, version.Stdout.Trim());

        var help = await RealClients.RunAsync(tool, ["--help"], new Dictionary<string, string?>(), TimeSpan.FromSeconds(60));
        Assert.Equal(0, help.ExitCode);
        Assert.All(EmulatorOptions.All, o => Assert.Matches($@"--{o.Switch}\s+{o.Environment}\s+default: {System.Text.RegularExpressions.Regex.Escape(o.Default)}\n", help.Stdout));

        var port = FreePort();
        var env = new Dictionary<string, string?> { ["DEPOT_EMULATOR_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        using var running = RunningProcess.Start(tool, ["--host", "127.0.0.1"], env);
        var healthy = false;
        for (var i = 0; i < 120 && !healthy; i++)
        {
            healthy = (await RealClients.RunAsync(tool, ["health"], env, TimeSpan.FromSeconds(30))).ExitCode == 0;
            if (!healthy)
            {
                await Task.Delay(500, TestContext.Current.CancellationToken);
            }
        }

        Assert.True(healthy, "depot-emulator health never answered 0");
        var listed = await RealClients.Depot($"http://127.0.0.1:{port}", RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = "depot_org_demo" }, "projects", "list", "--output", "json");
        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.Contains("proj-demo", listed.Stdout);

        running.Interrupt();
        var stopped = await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(stopped.ExitCode == 0, stopped.Output);
        Assert.Contains($"listening on http://127.0.0.1:{port}", stopped.Stdout);
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task Health_fails_where_nothing_listens_and_a_bad_option_points_at_help()
    {
        var host = Path.Combine(AppContext.BaseDirectory, "Depot.Emulator.dll");
        var health = await RealClients.RunAsync("dotnet", [host, "health"],
            new Dictionary<string, string?> { ["DEPOT_EMULATOR_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) }, TimeSpan.FromSeconds(60));
        Assert.Equal(1, health.ExitCode);
        Assert.Contains("unhealthy", health.Stdout);

        var bad = await RealClients.RunAsync("dotnet", [host, "--no-such-option"], new Dictionary<string, string?>(), TimeSpan.FromSeconds(60));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("unknown option --no-such-option", bad.Stderr);
        Assert.Contains("--help", bad.Stderr);
    }

    [Fact]
    public void Seed_text_comes_from_its_variable_and_a_seed_file_wins_over_it()
    {
        var env = new Dictionary<string, string?> { ["DEPOT_EMULATOR_SEED_TEXT"] = "---\norganizations: []" };
        var fromEnv = EmulatorOptions.Parse([], n => env.GetValueOrDefault(n));
        Assert.Equal("---\norganizations: []", fromEnv.SeedText);
        var inline = EmulatorOptions.Parse(["--seed-text=---\nprojects: []"], _ => null);
        Assert.Equal("---\nprojects: []", inline.SeedText);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static Task<ProcessResult> Dotnet(Dictionary<string, string?> env, params string[] args) =>
        RealClients.RunAsync("dotnet", args, new Dictionary<string, string?>(env) { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
            TimeSpan.FromMinutes(8));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
