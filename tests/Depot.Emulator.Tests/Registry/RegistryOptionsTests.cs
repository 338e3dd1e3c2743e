using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Registry;

public class RegistryOptionsTests
{
    [Fact]
    public void The_registry_options_come_from_flags_or_the_environment()
    {
        var env = new Dictionary<string, string> { ["DEPOT_EMULATOR_DATA_DIR"] = "/var/lib/depot", ["DEPOT_EMULATOR_REGISTRY_RETENTION_DAYS"] = "30" };
        var fromEnv = EmulatorOptions.Parse([], name => env.GetValueOrDefault(name));
        Assert.Equal("/var/lib/depot", fromEnv.DataDirectory);
        Assert.Equal(TimeSpan.FromDays(30), fromEnv.RegistryRetention);
        var defaults = EmulatorOptions.Parse([], _ => null);
        Assert.Null(defaults.DataDirectory);
        Assert.Equal(TimeSpan.FromDays(7), defaults.RegistryRetention);
        Assert.Equal(TimeSpan.FromDays(2), EmulatorOptions.Parse(["--registry-retention-days", "2"], name => env.GetValueOrDefault(name)).RegistryRetention);
        var e = Assert.Throws<DepotException>(() => EmulatorOptions.Parse(["--registry-retention-days", "0"], _ => null));
        Assert.Contains("--registry-retention-days must be a whole number from 1 to 3650", e.Message);
    }

    [Fact]
    public async Task With_a_data_directory_images_survive_a_restart_and_without_one_they_do_not()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "depot-data-dir-tests", Guid.NewGuid().ToString("N"));
        var image = TestImage.Create(70);
        await using (var first = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--data-dir", dataDir))
        {
            await new OciClient(first.Http, TestSeeds.Secret(TokenType.Project)).PushImageAsync("proj-web", "kept", image);
        }

        await using (var second = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--data-dir", dataDir))
        {
            var client = new OciClient(second.Http, TestSeeds.Secret(TokenType.Pull));
            using var manifest = await client.SendAsync(HttpMethod.Get, "/v2/proj-web/manifests/kept");
            Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
            using var layer = await client.SendAsync(HttpMethod.Get, $"/v2/proj-web/blobs/{OciClient.Digest(image.Layers[0])}");
            Assert.Equal(image.Layers[0], await layer.Content.ReadAsByteArrayAsync());
        }

        string ephemeralRoot;
        await using (var ephemeral = await InMemoryEmulator.StartAsync())
        {
            await new OciClient(ephemeral.Http, TestSeeds.Secret(TokenType.Project)).PushImageAsync("proj-web", "gone", image);
            ephemeralRoot = ephemeral.Service<Domain.Registry.RegistryStorage>().Blobs.Root;
            Assert.True(Directory.Exists(ephemeralRoot));
        }

        Assert.False(Directory.Exists(ephemeralRoot));
        Directory.Delete(dataDir, recursive: true);
    }
}
