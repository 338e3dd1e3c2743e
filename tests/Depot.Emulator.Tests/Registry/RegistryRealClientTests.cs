using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Registry;

/// <summary>The real depot CLI mints pull tokens and manages images; skopeo uses what it minted.</summary>
public class RegistryRealClientTests
{
    [Fact]
    public async Task A_pull_token_from_depot_pull_token_pulls_with_skopeo_and_cannot_push()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var host = new Uri(emulator.Url).Authority;
        var layout = Skopeo.TempLayout();
        var image = TestImage.Create(30);
        image.WriteLayout(layout, "v1");
        var pushed = await Skopeo.PushAsync(layout, "v1", $"{host}/proj-web:v1", TestSeeds.Secret(TokenType.Project), "--preserve-digests");
        Assert.True(pushed.ExitCode == 0, pushed.Output);

        var minted = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) }, "pull-token", "--project", "proj-web");
        Assert.True(minted.ExitCode == 0, minted.Output);
        var pullToken = minted.Stdout.Trim();
        Assert.StartsWith("depot_pull_", pullToken);

        var output = Skopeo.TempLayout();
        var pulled = await Skopeo.PullAsync($"{host}/proj-web:v1", output, "v1", pullToken);
        Assert.True(pulled.ExitCode == 0, pulled.Output);
        Assert.True(File.Exists(Path.Combine(output, "blobs", "sha256", image.Digest["sha256:".Length..])));

        var push = await Skopeo.PushAsync(layout, "v1", $"{host}/proj-web:v2", pullToken, "--preserve-digests");
        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("denied", push.Output);
    }

    [Fact]
    public async Task A_pull_token_for_a_build_pulls_that_builds_tag()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var host = new Uri(emulator.Url).Authority;
        var layout = Skopeo.TempLayout();
        TestImage.Create(31).WriteLayout(layout, "v1");
        // What the built-in BuildKit will do with --save: push <project>:<build> with Basic x-token:<build token>.
        var saved = await Skopeo.PushAsync(layout, "v1", $"{host}/proj-web:build-web-1", TestSeeds.Secret(TokenType.Build));
        Assert.True(saved.ExitCode == 0, saved.Output);

        var minted = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Organization) },
            "pull-token", "build-web-1", "--project", "proj-web");
        Assert.True(minted.ExitCode == 0, minted.Output);
        var pulled = await Skopeo.PullAsync($"{host}/proj-web:build-web-1", Skopeo.TempLayout(), "b", minted.Stdout.Trim());
        Assert.True(pulled.ExitCode == 0, pulled.Output);
    }
}
