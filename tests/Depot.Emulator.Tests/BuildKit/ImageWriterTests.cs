using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Depot.Emulator.BuildKit;
using Depot.Emulator.BuildKit.Dockerfiles;
using Depot.Emulator.BuildKit.Images;

namespace Depot.Emulator.Tests.BuildKit;

public class ImageWriterTests
{
    private static StageImage Image()
    {
        var fs = new VirtualFs();
        fs.Put("/app/run.sh", FsEntry.File(Encoding.UTF8.GetBytes("#!/bin/sh"), 0x1ED));
        var plan = BuildPlan.Create(DockerfileParser.Parse("FROM scratch\nCMD [\"/app/run.sh\"]\n"), new PlanOptions("Dockerfile", null, new Dictionary<string, string>()));
        var config = ImageConfig.ForBase(plan.Options);
        config.Apply(plan.Target.Instructions[0], new Dictionary<string, string>());
        return new StageImage(fs, config);
    }

    [Fact]
    public void The_same_stage_gives_the_same_bytes()
    {
        var first = ImageWriter.Write(Image(), ociMediaTypes: true, DateTimeOffset.UnixEpoch);
        var second = ImageWriter.Write(Image(), ociMediaTypes: true, DateTimeOffset.UnixEpoch);
        Assert.Equal(first.Manifest.Digest, second.Manifest.Digest);
        Assert.Equal(first.Layers[0].Data, second.Layers[0].Data);
    }

    [Fact]
    public void The_manifest_names_its_config_and_layer_and_the_config_its_diff_id()
    {
        var image = ImageWriter.Write(Image(), ociMediaTypes: false, DateTimeOffset.FromUnixTimeSeconds(1700000000));
        using var manifest = JsonDocument.Parse(image.Manifest.Data);
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", manifest.RootElement.GetProperty("mediaType").GetString());
        Assert.Equal(image.Config.Digest, manifest.RootElement.GetProperty("config").GetProperty("digest").GetString());
        Assert.Equal(image.Layers[0].Digest, manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString());
        Assert.Equal(DockerfileInterpreter.Digest(image.Manifest.Data), image.Manifest.Digest);

        using var config = JsonDocument.Parse(image.Config.Data);
        Assert.Equal("2023-11-14T22:13:20Z", config.RootElement.GetProperty("created").GetString());
        Assert.Equal("/app/run.sh", config.RootElement.GetProperty("config").GetProperty("Cmd")[0].GetString());

        using var gzip = new GZipStream(new MemoryStream(image.Layers[0].Data), CompressionMode.Decompress);
        var tar = new MemoryStream();
        gzip.CopyTo(tar);
        Assert.Equal(DockerfileInterpreter.Digest(tar.ToArray()), config.RootElement.GetProperty("rootfs").GetProperty("diff_ids")[0].GetString());
        tar.Position = 0;
        using var reader = new TarReader(tar);
        var entries = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            entries.Add($"{entry.Name} {Convert.ToString((int)entry.Mode, 8)} {entry.ModificationTime.ToUnixTimeSeconds()}");
        }

        Assert.Equal(["app/ 755 1700000000", "app/run.sh 755 1700000000"], entries);
    }

    [Theory]
    [InlineData("1500", 1500)]
    [InlineData("2s", 2000)]
    [InlineData("250ms", 250)]
    [InlineData("1m", 60000)]
    public void Scripted_durations_read_as_milliseconds_or_units(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), BuildArgs.ParseDuration(text));

    [Fact]
    public void A_bad_scripted_duration_is_refused() =>
        Assert.Contains("DEPOT_EMULATOR_DURATION", Assert.Throws<FormatException>(() => BuildArgs.ParseDuration("soon")).Message);
}
