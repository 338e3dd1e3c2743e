using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Depot.Emulator.Tests.Support;

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>A started client process whose output is being collected.</summary>
public sealed class RunningProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly string _description;

    private RunningProcess(Process process, string description)
    {
        _process = process;
        _description = description;
        process.StandardInput.Close();
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static RunningProcess Start(string file, IEnumerable<string> args, IDictionary<string, string?> env, string? workingDirectory = null) =>
        new(Process.Start(RealClients.StartInfo(file, args, env, workingDirectory)) ?? throw new InvalidOperationException($"could not start {file}"),
            $"{Path.GetFileName(file)} {string.Join(' ', args)}");

    /// <summary>Ctrl-C, as a person at a terminal sends it.</summary>
    public void Interrupt() => Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public async Task<ProcessResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_description} did not finish in {timeout.TotalSeconds}s");
        }

        return new ProcessResult(_process.ExitCode, await _stdout, await _stderr);
    }

    public void Dispose() => _process.Dispose();
}

/// <summary>Finds and runs the real clients installed under <c>tests/node_modules</c> by <c>scripts/test.sh</c>.</summary>
public static class RealClients
{
    public static string TestsDirectory { get; } = FindTestsDirectory();

    public static string DepotCli => Require(Path.Combine(TestsDirectory, "node_modules", "@depot", "cli-linux-x64", "bin", "depot"));

    public static string SdkCallScript => Require(Path.Combine(TestsDirectory, "clients", "sdk-call.mjs"),
        Path.Combine(TestsDirectory, "node_modules", "@depot", "sdk-node", "package.json"));

    /// <summary>Runs <c>depot</c> with a private HOME, pointed at <paramref name="apiUrl"/>, quiet and offline.</summary>
    public static Task<ProcessResult> Depot(string apiUrl, string home, IDictionary<string, string?>? env, params string[] args) =>
        RunAsync(DepotCli, args, DepotEnvironment(apiUrl, home, env), TimeSpan.FromSeconds(60));

    /// <summary>Starts <c>depot</c> without waiting, for tests that interrupt it.</summary>
    public static RunningProcess StartDepot(string apiUrl, string home, IDictionary<string, string?>? env, params string[] args) =>
        RunningProcess.Start(DepotCli, args, DepotEnvironment(apiUrl, home, env));

    private static Dictionary<string, string?> DepotEnvironment(string apiUrl, string home, IDictionary<string, string?>? env)
    {
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["XDG_CONFIG_HOME"] = Path.Combine(home, ".config"),
            ["DEPOT_API_URL"] = apiUrl,
            ["DEPOT_NO_UPDATE_NOTIFIER"] = "1",
            ["DEPOT_ERROR_TELEMETRY"] = "0",
            ["DEPOT_DISABLE_OTEL"] = "1",
            ["DEPOT_NO_SUMMARY_LINK"] = "1",
            ["DEPOT_TOKEN"] = null,
            ["DEPOT_PROJECT_ID"] = null,
            ["CI"] = null,
            ["GITHUB_ACTIONS"] = null,
        };
        foreach (var (key, value) in env ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>One @depot/sdk-node call; the script prints {ok, response} or {ok: false, code, message}.</summary>
    public static async Task<JsonElement> Sdk(string apiUrl, string service, string method, object request, string? token, string? org = null)
    {
        var result = await RunAsync("node", [SdkCallScript, service, method, JsonSerializer.Serialize(request), token ?? "", org ?? ""],
            new Dictionary<string, string?> { ["DEPOT_API_URL"] = apiUrl }, TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"node exited {result.ExitCode}: {result.Output}");
        }

        return JsonDocument.Parse(result.Stdout.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string?> env, TimeSpan timeout,
        string? workingDirectory = null)
    {
        var running = RunningProcess.Start(file, args, env, workingDirectory);
        return await running.WaitAsync(timeout);
    }

    internal static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, IDictionary<string, string?> env, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return start;
    }

    private static string Require(string path, string? marker = null)
    {
        if (!File.Exists(marker ?? path) || !File.Exists(path))
        {
            throw new Xunit.Sdk.XunitException(
                $"{marker ?? path} is missing: the real clients are installed by scripts/test.sh (npm ci --prefix tests).");
        }

        return path;
    }

    private static string FindTestsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tests", "package.json")))
            {
                return Path.Combine(dir.FullName, "tests");
            }
        }

        throw new InvalidOperationException("cannot find tests/package.json above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh HOME for one CLI run, so stored logins never leak between tests.</summary>
    public static string TempHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "depot-emulator-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        return home;
    }

    public static string Lines(params string[] lines) => new StringBuilder().AppendJoin('\n', lines).ToString();
}
