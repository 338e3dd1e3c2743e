using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Registry;

/// <summary>
/// The same images pushed with skopeo to the emulator and to docker-registry 2.8.2 side by side: what
/// <c>skopeo inspect --raw</c>, <c>--config</c> and <c>list-tags</c> return must be the same from both.
/// </summary>
public class DifferentialTests
{
    public static TheoryData<string> Pushes() => ["oci", "oci-preserved", "docker-v2s2", "index"];

    [Theory]
    [MemberData(nameof(Pushes))]
    public async Task Emulator_and_docker_registry_answer_the_same(string kind)
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        await using var reference = await DockerRegistry.StartAsync();
        var secret = TestSeeds.Secret(TokenType.Project);
        var emulatorRepo = $"{new Uri(emulator.Url).Authority}/proj-web";
        var referenceRepo = $"{reference.Host}/differential/web";

        var layout = Skopeo.TempLayout();
        string[] flags;
        if (kind == "index")
        {
            TestImage.WriteIndexLayout(layout, "v1", TestImage.Create(40), TestImage.Create(41));
            flags = ["--all", "--preserve-digests"];
        }
        else
        {
            TestImage.Create(42, layerSize: 50_000, layerCount: 2).WriteLayout(layout, "v1");
            flags = kind switch
            {
                "oci-preserved" => ["--preserve-digests"],
                "docker-v2s2" => ["--format", "v2s2"],
                _ => [],
            };
        }

        foreach (var tag in new[] { "v1", "latest", "build-1" })
        {
            var toEmulator = await Skopeo.PushAsync(layout, "v1", $"{emulatorRepo}:{tag}", secret, flags);
            Assert.True(toEmulator.ExitCode == 0, toEmulator.Output);
            var toReference = await Skopeo.PushAsync(layout, "v1", $"{referenceRepo}:{tag}", null, flags);
            Assert.True(toReference.ExitCode == 0, toReference.Output);
        }

        var raw = await Skopeo.InspectRawAsync($"{emulatorRepo}:v1", secret);
        var expected = await Skopeo.InspectRawAsync($"{referenceRepo}:v1", null);
        Assert.True(expected.ExitCode == 0, expected.Output);
        Assert.Equal(expected.Stdout, raw.Stdout);

        if (kind != "index")
        {
            var config = await Skopeo.InspectRawAsync($"{emulatorRepo}:latest", secret, config: true);
            var expectedConfig = await Skopeo.InspectRawAsync($"{referenceRepo}:latest", null, config: true);
            Assert.Equal(expectedConfig.Stdout, config.Stdout);
        }

        var tags = await Skopeo.ListTagsAsync(emulatorRepo, secret);
        var expectedTags = await Skopeo.ListTagsAsync(referenceRepo, null);
        Assert.Equal(Tags(expectedTags.Stdout), Tags(tags.Stdout));
        Assert.Equal(["build-1", "latest", "v1"], Tags(tags.Stdout));
    }

    private static List<string> Tags(string listTagsJson)
    {
        using var json = System.Text.Json.JsonDocument.Parse(listTagsJson);
        return json.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal).ToList();
    }
}
