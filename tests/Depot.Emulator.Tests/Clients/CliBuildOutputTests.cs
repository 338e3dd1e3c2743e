using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Tests.Registry;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>
/// <c>depot build</c>'s outputs that land on the client's side — <c>-o type=local</c>, <c>tar</c>, <c>oci</c>,
/// <c>docker</c>, <c>--load</c> — against the image the same build saves, as skopeo pulls it.
/// </summary>
public class CliBuildOutputTests
{
    private const string Dockerfile = "FROM alpine:3.19\nLABEL org.example.flavour=plain\nWORKDIR /app\nCOPY hello.txt .\nCOPY conf/ ./conf/\nCMD [\"cat\", \"/app/hello.txt\"]\n";

    private static readonly (string, string)[] Files = [("hello.txt", "hello\n"), ("conf/app.ini", "[app]\nname=demo\n")];

    private static readonly Dictionary<string, string?> ProjectToken = new() { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) };

    [Fact]
    public async Task Every_output_on_the_client_holds_byte_for_byte_what_the_saved_image_holds()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var registry = new Uri(emulator.Url).Authority;
        var context = BuildContexts.Create(Dockerfile, Files);
        var saved = await Build(emulator, context, "--save");
        var buildId = emulator.Service<DepotState>().Builds("proj-web").First(b => b.Origin == BuildOrigin.Cli).Id;
        var layout = Skopeo.TempLayout();
        var pull = await Skopeo.PullAsync($"{registry}/proj-web:{buildId}", layout, "saved", TestSeeds.Secret(TokenType.Pull));
        Assert.True(pull.ExitCode == 0, pull.Output);
        var image = SavedImage.Read(layout);
        Assert.Equal(ManifestDigest(saved.Output), image.ManifestDigest);

        var outputs = Path.Combine(Path.GetTempPath(), "depot-emulator-outputs", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outputs);
        var local = Path.Combine(outputs, "local");
        await Build(emulator, context, "-o", $"type=local,dest={local}");
        var layerFiles = TarFiles(image.LayerTar).Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
        Assert.Equal(["app/conf/app.ini", "app/hello.txt"], layerFiles.Keys.Order());
        foreach (var (name, data) in layerFiles)
        {
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(local, name)));
        }

        var tar = Path.Combine(outputs, "fs.tar");
        await Build(emulator, context, "-o", $"type=tar,dest={tar}");
        Assert.Equal(image.LayerTar, File.ReadAllBytes(tar));

        var docker = Path.Combine(outputs, "docker.tar");
        var dockerBuild = await Build(emulator, context, "-t", "acme/web:v1", "-o", $"type=docker,dest={docker}");
        var dockerArchive = TarFiles(File.ReadAllBytes(docker));
        Assert.Equal(image.ManifestDigest, ManifestDigest(dockerBuild.Output));
        Assert.Equal(image.Blobs.Keys.Order(), dockerArchive.Keys.Where(k => k.StartsWith("blobs/sha256/", StringComparison.Ordinal) && dockerArchive[k] is not null).Order());
        foreach (var (name, data) in image.Blobs)
        {
            Assert.Equal(data, dockerArchive[name]);
        }

        using (var manifest = JsonDocument.Parse(dockerArchive["manifest.json"]!))
        {
            var entry = manifest.RootElement[0];
            Assert.Equal("acme/web:v1", entry.GetProperty("RepoTags")[0].GetString());
            Assert.Equal(image.ConfigPath, entry.GetProperty("Config").GetString());
        }

        var oci = Path.Combine(outputs, "oci.tar");
        await Build(emulator, context, "-o", $"type=oci,dest={oci}");
        var ociArchive = TarFiles(File.ReadAllBytes(oci));
        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", System.Text.Encoding.UTF8.GetString(ociArchive["oci-layout"]!));
        using var index = JsonDocument.Parse(ociArchive["index.json"]!);
        var ociManifestPath = "blobs/sha256/" + index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!["sha256:".Length..];
        using var ociManifest = JsonDocument.Parse(ociArchive[ociManifestPath]!);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", ociManifest.RootElement.GetProperty("mediaType").GetString());
        // The same config and layer bytes as the saved image: only the manifest's media types differ.
        Assert.Equal(image.Blobs[image.ConfigPath], ociArchive[image.ConfigPath]);
        Assert.Equal(image.Blobs[image.LayerPath], ociArchive[image.LayerPath]);
        Assert.Equal(image.ConfigPath, "blobs/sha256/" + ociManifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!["sha256:".Length..]);
    }

    [Fact]
    public async Task Load_and_pull_put_the_image_into_the_local_docker_daemon()
    {
        var docker = await DockerDaemon.RequireAsync();
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var env = new Dictionary<string, string?>(ProjectToken);
        foreach (var (key, value) in docker)
        {
            env[key] = value;
        }

        var loaded = DockerDaemon.TestTag("loaded");
        var pulled = DockerDaemon.TestTag("pulled");
        await DockerDaemon.RemoveAsync(loaded, pulled);
        try
        {
            var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
            var load = await RealClients.Depot(emulator.Url, RealClients.TempHome(), env,
                "build", "--progress", "plain", "--project", "proj-web", "-t", loaded, "--load", BuildContexts.Create(Dockerfile, Files));
            Assert.True(load.ExitCode == 0, load.Output);
            Assert.DoesNotContain("fast load failed", load.Output);
            ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark,
                "depot.cli.v1.BuildService/ReportBuildHealth", "depot.cli.v1.BuildService/ReportStatusStream",
                "registry.pull", "registry.push", "registry.token"), "load");
            var labels = await DockerDaemon.InspectAsync(loaded, "{{json .Config.Labels}} {{json .Config.Cmd}}");
            Assert.True(labels.ExitCode == 0, labels.Output);
            Assert.Equal("{\"org.example.flavour\":\"plain\"} [\"cat\",\"/app/hello.txt\"]", labels.Stdout.Trim());

            var buildId = emulator.Service<DepotState>().Builds("proj-web").First(b => b.Origin == BuildOrigin.Cli).Id;
            var pull = await RealClients.Depot(emulator.Url, RealClients.TempHome(), env, "pull", "--project", "proj-web", "-t", pulled, buildId);
            Assert.True(pull.ExitCode == 0, pull.Output);
            var ids = await DockerDaemon.InspectAsync(loaded, "{{.Id}}");
            var pulledIds = await DockerDaemon.InspectAsync(pulled, "{{.Id}}");
            Assert.True(pulledIds.ExitCode == 0, pulledIds.Output);
            Assert.Equal(ids.Stdout, pulledIds.Stdout);
        }
        finally
        {
            await DockerDaemon.RemoveAsync(loaded, pulled);
        }
    }

    [Fact]
    public async Task The_sdk_to_cli_hand_off_saves_depot_registry_tags_into_the_emulators_registry()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var registry = new Uri(emulator.Url).Authority;
        var created = await RealClients.Sdk(emulator.Url, "depot.build.v1.BuildService", "createBuild", new { projectId = "proj-web" }, TestSeeds.Secret(TokenType.Organization));
        Assert.True(created.GetProperty("ok").GetBoolean(), created.ToString());
        var buildId = created.GetProperty("response").GetProperty("buildId").GetString()!;
        var buildToken = created.GetProperty("response").GetProperty("buildToken").GetString()!;

        // Without a CreateBuild response the CLI names Depot's registry itself.
        var build = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = buildToken, ["DEPOT_BUILD_ID"] = buildId },
            "build", "--progress", "plain", "--save", BuildContexts.Create(Dockerfile, Files));

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains($"naming to registry.depot.dev/proj-web:{buildId}", build.Output);
        var inspect = await Skopeo.RunAsync("inspect", "--tls-verify=false", "--creds", "x-token:" + TestSeeds.Secret(TokenType.Pull),
            $"docker://{registry}/proj-web:{buildId}");
        Assert.True(inspect.ExitCode == 0, inspect.Output);
        using var saved = JsonDocument.Parse(inspect.Stdout);
        Assert.Equal(ManifestDigest(build.Output), saved.RootElement.GetProperty("Digest").GetString());
    }

    [Fact]
    public async Task An_organization_token_without_a_project_reaches_the_project_picker()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        var build = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Organization) }, "build", BuildContexts.Create(Dockerfile, Files));

        Assert.NotEqual(0, build.ExitCode);
        // Without a terminal the picker lists the projects and stops.
        Assert.Contains("Project ID,Name", build.Output);
        Assert.Contains("proj-web,web", build.Output);
        Assert.Contains("missing project ID", build.Output);
        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark), "picker");
    }

    [Fact]
    public async Task A_missing_target_is_reported_with_its_code_once()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var build = await RealClients.Depot(emulator.Url, RealClients.TempHome(), ProjectToken,
            "build", "--progress", "plain", "--project", "proj-web", "--target", "nope", BuildContexts.Create(Dockerfile, Files));

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("failed to solve: InvalidArgument: target stage \"nope\" could not be found", build.Output);
        Assert.DoesNotContain("InvalidArgument: InvalidArgument", build.Output);
    }

    private static async Task<ProcessResult> Build(LoopbackEmulator emulator, string context, params string[] output)
    {
        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(), ProjectToken,
            ["build", "--progress", "plain", "--project", "proj-web", .. output, context]);
        Assert.True(result.ExitCode == 0, result.Output);
        return result;
    }

    private static string ManifestDigest(string output) =>
        output.Split('\n').First(l => l.Contains("exporting manifest sha256:", StringComparison.Ordinal)).Split(' ')[3];

    /// <summary>A tarball's entries by name: a file's bytes, or null for a directory.</summary>
    private static Dictionary<string, byte[]?> TarFiles(byte[] tarball)
    {
        var files = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        using var reader = new TarReader(new MemoryStream(tarball));
        while (reader.GetNextEntry() is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            files[entry.Name] = entry.EntryType == TarEntryType.Directory ? null : data.ToArray();
        }

        return files;
    }

    /// <summary>The saved image as skopeo wrote it: its blobs by layout path, and its one layer unpacked.</summary>
    private sealed record SavedImage(string ManifestDigest, string ConfigPath, string LayerPath, Dictionary<string, byte[]> Blobs, byte[] LayerTar)
    {
        public static SavedImage Read(string layout)
        {
            static string PathOf(string digest) => "blobs/sha256/" + digest["sha256:".Length..];
            byte[] Blob(string path) => File.ReadAllBytes(Path.Combine(layout, path));
            using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
            var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
            var manifestBytes = Blob(PathOf(manifestDigest));
            Assert.Equal(manifestDigest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifestBytes)));
            using var manifest = JsonDocument.Parse(manifestBytes);
            var config = PathOf(manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!);
            var layer = PathOf(manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!);
            var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal)
            {
                [PathOf(manifestDigest)] = manifestBytes,
                [config] = Blob(config),
                [layer] = Blob(layer),
            };
            using var gzip = new GZipStream(new MemoryStream(blobs[layer]), CompressionMode.Decompress);
            using var tar = new MemoryStream();
            gzip.CopyTo(tar);
            return new SavedImage(manifestDigest, config, layer, blobs, tar.ToArray());
        }
    }
}
