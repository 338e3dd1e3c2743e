using System.Diagnostics;
using Depot.Emulator.Domain.Authorization;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Packaging;

/// <summary>How the image starts and stops: seeds from a mounted file or the built-in one, SIGTERM, enforcement.</summary>
public sealed class ImageLifecycleTests
{
    [Fact]
    public async Task A_mounted_seed_file_is_loaded_and_docker_stop_ends_the_emulator_cleanly_within_seconds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var container = EmulatorImage.Builder()
            .WithResourceMapping(new FileInfo(TestSeeds.AcmePath), "/seed/")
            .WithEnvironment("DEPOT_EMULATOR_SEED", "/seed/acme.yaml")
            .Build();
        await container.StartAsync(ct);

        var listed = await RealClients.Depot(container.GetApiUrl(), RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Organization) }, "projects", "list", "--output", "json");
        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.Contains("proj-web", listed.Stdout);

        var clock = Stopwatch.StartNew();
        var stop = await EmulatorImage.Docker("stop", container.Id);
        clock.Stop();
        Assert.True(stop.ExitCode == 0, stop.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"docker stop took {clock.Elapsed.TotalSeconds:0.0}s: SIGTERM was not honoured");
        var exit = await EmulatorImage.Docker("inspect", "--format", "{{.State.ExitCode}}", container.Id);
        Assert.Equal("0", exit.Stdout.Trim());
    }

    [Fact]
    public async Task Without_a_seed_the_built_in_demo_seed_is_served_and_its_tokens_are_known_to_the_module()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var container = EmulatorImage.Builder().WithEnforcement(EnforcementMode.Soft).Build();
        await container.StartAsync(ct);

        // Soft enforcement: a project token reaches the API service, and the journal says it would have been denied.
        var listed = await RealClients.Depot(container.GetApiUrl(), RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = container.Tokens.Project }, "projects", "list", "--output", "json");
        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.Contains("proj-demo", listed.Stdout);

        using var http = new HttpClient { BaseAddress = new Uri(container.GetApiUrl()) };
        var journal = await http.GetStringAsync("/_emulator/journal", ct);
        Assert.Contains("would-deny", journal);
    }
}
