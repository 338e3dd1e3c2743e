using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Tests.Registry;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>
/// <c>depot build --save</c> and <c>--push</c> into the emulator's registry, then out again with a pull token and
/// skopeo: the image holds what the Dockerfile copied and carries its configuration.
/// </summary>
public class CliBuildExportTests
{
    private const string Dockerfile = "FROM alpine:3.19\nWORKDIR /app\nCOPY hello.txt .\nENV GREETING=hi\nCMD [\"cat\", \"/app/hello.txt\"]\n";

    [Fact]
    public async Task A_saved_build_is_pulled_with_a_pull_token_from_depot_pull_token()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var registry = new Uri(emulator.Url).Authority;
        var token = new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) };
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        var build = await RealClients.Depot(emulator.Url, RealClients.TempHome(), token,
            "build", "--progress", "plain", "--project", "proj-web", "--save", "--save-tag", "latest", BuildContexts.Create(Dockerfile));

        Assert.True(build.ExitCode == 0, build.Output);
        var buildId = emulator.Service<DepotState>().Builds("proj-web").First(b => b.Origin == BuildOrigin.Cli).Id;
        Assert.Contains($"naming to {registry}/proj-web:{buildId}", build.Output);
        Assert.Contains($"pushing manifest for {registry}/proj-web:latest@sha256:", build.Output);
        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark,
            "depot.cli.v1.BuildService/ReportBuildHealth", "depot.cli.v1.BuildService/ReportStatusStream",
            "registry.pull", "registry.push", "registry.token"), "save");

        var pullToken = await RealClients.Depot(emulator.Url, RealClients.TempHome(), token, "pull-token", "--project", "proj-web", buildId);
        Assert.True(pullToken.ExitCode == 0, pullToken.Output);
        var layout = Skopeo.TempLayout();
        var pull = await Skopeo.PullAsync($"{registry}/proj-web:{buildId}", layout, "saved", pullToken.Stdout.Trim());
        Assert.True(pull.ExitCode == 0, pull.Output);

        var (files, config) = ReadImage(layout);
        Assert.Equal("hello\n", files["app/hello.txt"]);
        Assert.Contains("GREETING=hi", config.GetProperty("config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/app", config.GetProperty("config").GetProperty("WorkingDir").GetString());

        var tags = await Skopeo.ListTagsAsync($"{registry}/proj-web", pullToken.Stdout.Trim());
        Assert.Contains(buildId, tags.Stdout);
        Assert.Contains("latest", tags.Stdout);

        var creds = "x-token:" + pullToken.Stdout.Trim();
        var push = await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds", creds, "--dest-creds", creds,
            $"docker://{registry}/proj-web:{buildId}", $"docker://{registry}/proj-web:from-pull-token");
        Assert.NotEqual(0, push.ExitCode);
        Assert.True(push.Output.Contains("denied", StringComparison.OrdinalIgnoreCase), push.Output);
    }

    [Fact]
    public async Task Pushing_uses_the_registry_credentials_the_cli_is_given_and_the_matrix_decides()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var registry = new Uri(emulator.Url).Authority;
        var context = BuildContexts.Create(Dockerfile);

        async Task<ProcessResult> Push(string pushSecret, string tag) => await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?>
            {
                ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project),
                ["DEPOT_PUSH_REGISTRY_USERNAME"] = "x-token",
                ["DEPOT_PUSH_REGISTRY_PASSWORD"] = pushSecret,
            },
            "build", "--progress", "plain", "--project", "proj-web", "--push", "-t", $"{registry}/proj-web:{tag}", context);

        var pushed = await Push(TestSeeds.Secret(TokenType.Project), "v1");
        Assert.True(pushed.ExitCode == 0, pushed.Output);
        var inspect = await Skopeo.InspectRawAsync($"{registry}/proj-web:v1", TestSeeds.Secret(TokenType.Pull));
        Assert.True(inspect.ExitCode == 0, inspect.Output);
        using var manifest = JsonDocument.Parse(inspect.Stdout);
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", manifest.RootElement.GetProperty("mediaType").GetString());

        var refused = await Push(TestSeeds.Secret(TokenType.Pull), "v2");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("403", refused.Output);
        Assert.Contains("DENIED", refused.Output);
        Assert.Equal(BuildState.Failed, emulator.Service<DepotState>().Builds("proj-web").First(b => b.Origin == BuildOrigin.Cli).State);
    }

    [Fact]
    public async Task The_same_inputs_save_the_same_image()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var context = BuildContexts.Create(Dockerfile);
        var token = new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) };
        var first = await RealClients.Depot(emulator.Url, RealClients.TempHome(), token, "build", "--progress", "plain", "--project", "proj-web", "--save", context);
        var second = await RealClients.Depot(emulator.Url, RealClients.TempHome(), token, "build", "--progress", "plain", "--project", "proj-web", "--save", "--no-cache", context);
        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first.Output + second.Output);

        string Digest(string output) => output.Split('\n').First(l => l.Contains("exporting manifest sha256:")).Split(' ')[3];
        Assert.Equal(Digest(first.Output), Digest(second.Output));
    }

    /// <summary>The files of the image's one layer and its configuration, from an OCI layout skopeo wrote.</summary>
    internal static (Dictionary<string, string> Files, JsonElement Config) ReadImage(string layout)
    {
        string Blob(string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Blob(index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!)));
        var config = JsonDocument.Parse(File.ReadAllText(Blob(manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!))).RootElement;
        var files = new Dictionary<string, string>();
        using var gzip = new GZipStream(File.OpenRead(Blob(manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!)), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                files[entry.Name] = new StreamReader(data).ReadToEnd();
            }
        }

        return (files, config);
    }
}
