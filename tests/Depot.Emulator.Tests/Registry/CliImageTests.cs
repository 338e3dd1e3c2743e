using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Registry;

/// <summary><c>depot image list</c> and <c>depot image rm</c> with each token type, against images pushed to the registry.</summary>
public class CliImageTests
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();

    public static TheoryData<string, TokenType> Cells()
    {
        var data = new TheoryData<string, TokenType>();
        foreach (var command in new[] { "list", "rm" })
        {
            foreach (var type in TokenTypes.All)
            {
                data.Add(command, type);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_image_command_with_each_token_type_gets_the_matrix_answer(string command, TokenType type)
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var registry = new OciClient(emulator.Http, TestSeeds.Secret(TokenType.Project));
        var image = TestImage.Create(50);
        await registry.PushImageAsync("proj-web", "v1", image);
        await registry.PushManifestAsync("proj-web", "build-web-1", image.Manifest, image.MediaType);
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        string[] args = command == "list"
            ? ["image", "list", "--project", "proj-web", "--output", "json"]
            : ["image", "rm", "v1", "--project", "proj-web"];
        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(type) }, args);

        var operation = command == "list" ? "depot.build.v1.RegistryService/ListImages" : "depot.build.v1.RegistryService/DeleteImage";
        var decision = Matrix.Decide(type, Matrix.Operation(operation));
        var tags = await registry.TagsAsync("proj-web");
        if (decision.IsAllowed)
        {
            Assert.True(result.ExitCode == 0, $"{type.Name()} token: depot {string.Join(' ', args)} failed: {result.Output}");
            if (command == "list")
            {
                Assert.Contains("\"tag\": \"build-web-1\"", result.Output);
                Assert.Contains(image.Digest, result.Output);
                Assert.Equal(["build-web-1", "v1"], tags);
            }
            else
            {
                Assert.Contains("Successfully deleted image with tag: v1", result.Output);
                Assert.Equal(["build-web-1"], tags);
            }
        }
        else
        {
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains($"permission_denied: {decision.Reason}", result.Output);
            Assert.Equal(["build-web-1", "v1"], tags);
        }

        var exchanges = await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark);
        var calls = new System.Text.Json.Nodes.JsonArray(exchanges.Where(e => e!["operation"]!.GetValue<string>() == operation).Select(e => e!.DeepClone()).ToArray());
        Assert.NotEmpty(calls);
        Assert.All(calls, e => Assert.Equal("HTTP/2", e!["protocol"]!.GetValue<string>()));
        // The digest as the shared snapshot placeholders name it, so the snapshot reads the same wherever digests are normalized.
        var pinned = System.Text.Json.Nodes.JsonNode.Parse(calls.ToJsonString().Replace(image.Digest, "<digest-1>", StringComparison.Ordinal))!.AsArray();
        ExchangeSnapshots.Match(pinned, $"{command}.{type.Name()}");
    }

    [Fact]
    public async Task Removing_an_unknown_tag_fails_and_changes_nothing()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var registry = new OciClient(emulator.Http, TestSeeds.Secret(TokenType.Project));
        await registry.PushImageAsync("proj-web", "v1", TestImage.Create(51));
        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) }, "image", "rm", "v1", "nope", "--project", "proj-web");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("not_found: image proj-web:nope not found", result.Output);
        Assert.Equal(["v1"], await registry.TagsAsync("proj-web"));
    }

    [Fact]
    public async Task Images_age_out_after_the_retention_when_the_clock_moves()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--registry-retention-days", "2");
        var registry = new OciClient(emulator.Http, TestSeeds.Secret(TokenType.Project));
        var image = TestImage.Create(52);
        await registry.PushImageAsync("proj-web", "old", image);
        await emulator.Http.PostAsync("/_emulator/clock/advance", new StringContent("{\"seconds\": 86400}", System.Text.Encoding.UTF8, "application/json"));
        await registry.PushImageAsync("proj-web", "new", TestImage.Create(53));
        await emulator.Http.PostAsync("/_emulator/clock/advance", new StringContent("{\"seconds\": 90000}", System.Text.Encoding.UTF8, "application/json"));

        var listed = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) }, "image", "list", "--project", "proj-web", "--output", "json");
        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.DoesNotContain("\"old\"", listed.Output);
        Assert.Contains("\"new\"", listed.Output);
        using var gone = await registry.SendAsync(HttpMethod.Get, $"/v2/proj-web/blobs/{OciClient.Digest(image.Layers[0])}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }
}
