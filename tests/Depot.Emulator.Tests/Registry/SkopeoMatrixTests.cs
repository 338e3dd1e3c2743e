using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;
using Snapshooter;
using Snapshooter.Xunit3;

namespace Depot.Emulator.Tests.Registry;

/// <summary>
/// skopeo pushes and pulls through the emulator with every token type and gets the matrix's answer; what crossed the
/// wire is pinned as a snapshot.
/// </summary>
public partial class SkopeoMatrixTests
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();

    public static TheoryData<string, TokenType> Cells()
    {
        var data = new TheoryData<string, TokenType>();
        foreach (var direction in new[] { "push", "pull" })
        {
            foreach (var type in TokenTypes.All)
            {
                data.Add(direction, type);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Skopeo_with_each_token_type_gets_the_matrix_answer(string direction, TokenType type)
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var host = new Uri(emulator.Url).Authority;
        var image = TestImage.Create(20);
        var layout = Skopeo.TempLayout();
        image.WriteLayout(layout, "v1");
        if (direction == "pull")
        {
            var seeded = await Skopeo.PushAsync(layout, "v1", $"{host}/proj-web:v1", TestSeeds.Secret(TokenType.Organization), "--preserve-digests");
            Assert.True(seeded.ExitCode == 0, seeded.Output);
        }

        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        var result = direction == "push"
            ? await Skopeo.PushAsync(layout, "v1", $"{host}/proj-web:{type.Name()}", TestSeeds.Secret(type), "--preserve-digests")
            : await Skopeo.PullAsync($"{host}/proj-web:v1", Skopeo.TempLayout(), "copy", TestSeeds.Secret(type));

        var decision = Matrix.Decide(type, Matrix.Operation(direction == "push" ? "registry.push" : "registry.pull"));
        if (decision.IsAllowed)
        {
            Assert.True(result.ExitCode == 0, $"{type.Name()} token: skopeo {direction} failed: {result.Output}");
            if (direction == "push")
            {
                var pulled = await Skopeo.InspectRawAsync($"{host}/proj-web:{type.Name()}", TestSeeds.Secret(TokenType.Pull));
                Assert.Equal(image.Manifest, System.Text.Encoding.UTF8.GetBytes(pulled.Stdout));
            }
        }
        else
        {
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("denied", result.Output);
        }

        Snapshot.Match(await RegistryExchanges(emulator.Http, mark), SnapshotNameExtension.Create($"{direction}.{type.Name()}"));
    }

    [Fact]
    public async Task Another_projects_pull_token_is_refused()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var host = new Uri(emulator.Url).Authority;
        var layout = Skopeo.TempLayout();
        TestImage.Create(21).WriteLayout(layout, "v1");
        var pushed = await Skopeo.PushAsync(layout, "v1", $"{host}/proj-web:v1", TestSeeds.Secret(TokenType.Project));
        Assert.True(pushed.ExitCode == 0, pushed.Output);

        var minted = await emulator.Http.PostAsync("/_emulator/tokens",
            new StringContent("{\"type\":\"pull\",\"project\":\"proj-api\"}", System.Text.Encoding.UTF8, "application/json"));
        var apiPull = JsonDocument.Parse(await minted.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;
        var refused = await Skopeo.PullAsync($"{host}/proj-web:v1", Skopeo.TempLayout(), "x", apiPull);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("denied", refused.Output);

        var anonymous = await Skopeo.PullAsync($"{host}/proj-web:v1", Skopeo.TempLayout(), "x", null);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("unauthorized", anonymous.Output);
    }

    [Fact]
    public async Task The_organization_form_and_cross_repository_mounts_work_with_an_organization_token()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var host = new Uri(emulator.Url).Authority;
        var org = TestSeeds.Secret(TokenType.Organization);
        var layout = Skopeo.TempLayout();
        var image = TestImage.Create(22, layerSize: 200_000);
        image.WriteLayout(layout, "v1");
        Assert.Equal(0, (await Skopeo.PushAsync(layout, "v1", $"{host}/proj-web:v1", org, "--preserve-digests")).ExitCode);

        var copied = await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds", "x-token:" + org,
            "--dest-creds", "x-token:" + org, $"docker://{host}/proj-web:v1", $"docker://{host}/org-acme/team/app:v1");
        Assert.True(copied.ExitCode == 0, copied.Output);
        var journal = await emulator.Http.GetStringAsync("/_emulator/journal?limit=1000");
        Assert.Contains("mount=", await MountRequests(emulator));
        Assert.DoesNotContain("test-org-acme", journal);

        var raw = await Skopeo.InspectRawAsync($"{host}/org-acme/team/app:v1", org);
        Assert.Equal(image.Manifest, System.Text.Encoding.UTF8.GetBytes(raw.Stdout));
        var projectToken = await Skopeo.InspectRawAsync($"{host}/org-acme/team/app:v1", TestSeeds.Secret(TokenType.Project));
        Assert.NotEqual(0, projectToken.ExitCode);
    }

    /// <summary>Whether skopeo asked to mount: the journal keeps paths only, so ask the access log of the test host instead.</summary>
    private static async Task<string> MountRequests(LoopbackEmulator emulator)
    {
        var journal = JsonNode.Parse(await emulator.Http.GetStringAsync("/_emulator/journal?limit=1000"))!["entries"]!.AsArray();
        // A mounted blob is answered 201 straight from the POST that started the upload.
        return journal.Any(e => e!["method"]!.GetValue<string>() == "POST" && e["status"]!.GetValue<int>() == 201 &&
                                e["path"]!.GetValue<string>().StartsWith("/v2/org-acme/team/app/blobs/uploads", StringComparison.Ordinal))
            ? "mount=" : "no mount";
    }

    /// <summary>The registry requests since <paramref name="mark"/>, upload ids replaced, sorted (skopeo sends blobs in parallel).</summary>
    internal static async Task<string> RegistryExchanges(HttpClient http, long mark)
    {
        var journal = JsonNode.Parse(await http.GetStringAsync($"/_emulator/journal?since={mark}&limit=1000"))!["entries"]!.AsArray();
        var lines = journal
            .Select(e => e!.AsObject())
            .Where(e => e["path"]!.GetValue<string>().StartsWith("/v2", StringComparison.Ordinal))
            .Select(e => $"{e["method"]} {UploadId().Replace(e["path"]!.GetValue<string>(), "<upload>")} {e["protocol"]} -> {e["status"]} " +
                         $"{e["operation"]} {e["tokenType"] ?? "-"} {e["decision"]}")
            .Order(StringComparer.Ordinal)
            .ToList();
        return string.Join('\n', lines) + '\n';
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex UploadId();
}
