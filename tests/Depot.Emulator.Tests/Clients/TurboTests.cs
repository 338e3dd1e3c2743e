using System.Net.Http.Json;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>
/// The real <c>turbo</c> (pinned in tests/package.json) pointed at the emulator with TURBO_API, TURBO_TOKEN and
/// TURBO_TEAM, building a two-package workspace: the second build replays from the emulator, <c>--force</c> refills it.
/// </summary>
public class TurboTests
{
    private static string Turbo => Path.Combine(RealClients.TestsDirectory, "node_modules", ".bin", "turbo");

    [Fact]
    public async Task A_second_build_replays_from_the_emulator_and_force_refills_it()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var workspace = await Workspace.CreateAsync();
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        var token = TestSeeds.Secret(TokenType.Organization);

        var first = await Build(emulator.Url, workspace, token);
        Assert.Contains("Cached:    0 cached, 2 total", first.Stdout);
        workspace.ForgetLocalCache();

        var second = await Build(emulator.Url, workspace, token);
        Assert.Contains("a:build: cache hit, replaying logs", second.Stdout);
        Assert.Contains("Cached:    2 cached, 2 total", second.Stdout);
        Assert.Equal("built a", await File.ReadAllTextAsync(Path.Combine(workspace.Root, "packages", "a", "dist", "out.txt")));

        var forced = await Build(emulator.Url, workspace, token, "--force");
        Assert.Contains("cache bypass, force executing", forced.Stdout);

        ExchangeSnapshots.Match(Sorted(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark)), "turbo.organization");
        workspace.Dispose();
    }

    [Fact]
    public async Task A_project_token_builds_without_the_remote_cache_and_is_told_why()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        using var workspace = await Workspace.CreateAsync();
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        var run = await Build(emulator.Url, workspace, TestSeeds.Secret(TokenType.Project));
        Assert.Contains("403", run.Output);
        Assert.Contains("Cached:    0 cached, 2 total", run.Stdout);
        Assert.Equal("0", (await emulator.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/_emulator/cache")).GetProperty("total").ToString());
        ExchangeSnapshots.Match(Sorted(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark)), "turbo.project");
    }

    /// <summary>turbo runs both packages' tasks and sends its events concurrently, so only the set of exchanges is fixed.</summary>
    private static System.Text.Json.Nodes.JsonArray Sorted(System.Text.Json.Nodes.JsonArray exchanges) =>
        new(exchanges.Select(e => e!.DeepClone()).OrderBy(e => e.ToJsonString(), StringComparer.Ordinal).ToArray());

    private static async Task<ProcessResult> Build(string url, Workspace workspace, string token, params string[] extra)
    {
        var result = await RealClients.RunAsync(Turbo, ["run", "build", "--cwd", workspace.Root, .. extra], new Dictionary<string, string?>
        {
            ["HOME"] = workspace.Root,
            ["TURBO_API"] = url,
            ["TURBO_TOKEN"] = token,
            ["TURBO_TEAM"] = "org-acme",
            ["TURBO_TELEMETRY_DISABLED"] = "1",
            ["DO_NOT_TRACK"] = "1",
            ["TURBO_NO_UPDATE_NOTIFIER"] = "1",
            ["CI"] = null,
        }, TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, result.Output);
        return result;
    }

    /// <summary>Two packages whose build writes dist/out.txt, in a git repository so that turbo hashes what git tracks.</summary>
    private sealed class Workspace : IDisposable
    {
        private Workspace(string root) => Root = root;

        public string Root { get; }

        public static async Task<Workspace> CreateAsync()
        {
            var root = RealClients.TempHome();
            await File.WriteAllTextAsync(Path.Combine(root, "package.json"),
                """{"name":"workspace","private":true,"packageManager":"npm@10.8.2","workspaces":["packages/*"]}""");
            await File.WriteAllTextAsync(Path.Combine(root, "turbo.json"), """{"tasks":{"build":{"outputs":["dist/**"]}}}""");
            await File.WriteAllTextAsync(Path.Combine(root, ".gitignore"), "node_modules\ndist\n.turbo\n");
            var lockPackages = "";
            foreach (var name in new[] { "a", "b" })
            {
                var dir = Directory.CreateDirectory(Path.Combine(root, "packages", name)).FullName;
                await File.WriteAllTextAsync(Path.Combine(dir, "package.json"),
                    $$$"""{"name":"{{{name}}}","version":"1.0.0","scripts":{"build":"node -e \"require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/out.txt','built {{{name}}}')\""}}""");
                lockPackages += $$""","node_modules/{{name}}":{"resolved":"packages/{{name}}","link":true},"packages/{{name}}":{"version":"1.0.0"}""";
            }

            await File.WriteAllTextAsync(Path.Combine(root, "package-lock.json"),
                $$$"""{"name":"workspace","lockfileVersion":3,"requires":true,"packages":{"":{"name":"workspace","workspaces":["packages/*"]}{{{lockPackages}}}}}""");
            foreach (var git in new[] { new[] { "init", "-q" }, ["add", "-A"], ["-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "workspace"] })
            {
                var result = await RealClients.RunAsync("git", ["-C", root, .. git], new Dictionary<string, string?>(), TimeSpan.FromSeconds(30));
                Assert.True(result.ExitCode == 0, result.Output);
            }

            return new Workspace(root);
        }

        /// <summary>What a fresh checkout has: no local cache and no outputs.</summary>
        public void ForgetLocalCache()
        {
            foreach (var dir in Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories)
                         .Where(d => Path.GetFileName(d) is ".turbo" or "dist").ToList())
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}
