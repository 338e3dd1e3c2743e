using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Registry;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Packaging;

/// <summary>The real clients against the image, through the port Docker published.</summary>
public sealed class ImageRealClientTests(AcmeContainer acme) : IClassFixture<AcmeContainer>
{
    private string ApiUrl => acme.Container.GetApiUrl();

    [Fact]
    public async Task The_depot_cli_lists_the_seeded_projects_and_is_refused_with_a_project_token()
    {
        var listed = await RealClients.Depot(ApiUrl, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = acme.Container.Tokens.Organization }, "projects", "list", "--output", "json");
        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.Contains("proj-web", listed.Stdout);
        Assert.Contains("proj-api", listed.Stdout);
        Assert.DoesNotContain("proj-ops", listed.Stdout);

        var denied = await RealClients.Depot(ApiUrl, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = acme.Container.Tokens.Project }, "projects", "list", "--output", "json");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("permission_denied", denied.Output);
    }

    [Fact]
    public async Task The_node_sdk_reads_the_seeded_projects()
    {
        var result = await RealClients.Sdk(ApiUrl, "depot.core.v1.ProjectService", "listProjects", new { }, acme.Container.Tokens.Organization);
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        var ids = result.GetProperty("response").GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("projectId").GetString()).ToList();
        Assert.Equal(["proj-api", "proj-web"], ids.Order());
    }

    [Fact]
    public async Task Skopeo_pushes_into_the_data_volume_and_a_pull_token_from_the_cli_pulls_but_cannot_push()
    {
        var registry = acme.Container.GetRegistryAddress();
        var layout = Skopeo.TempLayout();
        var image = TestImage.Create(1301);
        image.WriteLayout(layout, "v1");
        var pushed = await Skopeo.PushAsync(layout, "v1", $"{registry}/proj-web:image-test", acme.Container.Tokens.Project, "--preserve-digests");
        Assert.True(pushed.ExitCode == 0, pushed.Output);

        // The blob is in the image's VOLUME (--data-dir), not in a temporary directory.
        var stored = await acme.Container.ExecAsync(["find", "/data", "-name", image.Digest["sha256:".Length..]], TestContext.Current.CancellationToken);
        Assert.Contains(image.Digest["sha256:".Length..], stored.Stdout);

        var minted = await RealClients.Depot(ApiUrl, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = acme.Container.Tokens.Project }, "pull-token", "--project", "proj-web");
        Assert.True(minted.ExitCode == 0, minted.Output);
        var pullToken = minted.Stdout.Trim();

        var pulled = await Skopeo.PullAsync($"{registry}/proj-web:image-test", Skopeo.TempLayout(), "v1", pullToken);
        Assert.True(pulled.ExitCode == 0, pulled.Output);
        var refused = await Skopeo.PushAsync(layout, "v1", $"{registry}/proj-web:other", pullToken, "--preserve-digests");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("denied", refused.Output);
    }

    [Fact]
    public async Task The_health_check_reaches_healthy_and_the_emulator_runs_as_a_non_root_user()
    {
        var status = "";
        for (var i = 0; i < 60 && status != "healthy"; i++)
        {
            var inspect = await EmulatorImage.Docker("inspect", "--format", "{{.State.Health.Status}}", acme.Container.Id);
            Assert.True(inspect.ExitCode == 0, inspect.Output);
            status = inspect.Stdout.Trim();
            if (status != "healthy")
            {
                await Task.Delay(500, TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal("healthy", status);
        var id = await acme.Container.ExecAsync(["id", "-u"], TestContext.Current.CancellationToken);
        Assert.Equal("1654", id.Stdout.Trim());
    }
}
