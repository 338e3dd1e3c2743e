using System.Text;
using System.Text.Json.Nodes;

namespace Depot.Emulator.Tests.Registry;

/// <summary>A small OCI image made from a seed: the same seed, the same bytes and digests.</summary>
public sealed class TestImage
{
    public const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar";

    private TestImage(byte[] config, IReadOnlyList<byte[]> layers, byte[] manifest, string mediaType)
    {
        Config = config;
        Layers = layers;
        Manifest = manifest;
        MediaType = mediaType;
    }

    public byte[] Config { get; }

    public IReadOnlyList<byte[]> Layers { get; }

    public byte[] Manifest { get; }

    public string MediaType { get; }

    public string Digest => OciClient.Digest(Manifest);

    public IEnumerable<byte[]> Blobs => Layers.Prepend(Config);

    public static TestImage Create(int seed, int layerSize = 4096, int layerCount = 1, byte[][]? sharedLayers = null,
        string? subject = null, long subjectSize = 0, string? artifactType = null, bool docker = false)
    {
        var random = new Random(seed);
        var layers = new List<byte[]>(sharedLayers ?? []);
        for (var i = 0; i < layerCount; i++)
        {
            var layer = new byte[layerSize];
            random.NextBytes(layer);
            layers.Add(layer);
        }

        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layers.Select(l => (JsonNode)OciClient.Digest(l)).ToArray()) },
        }.ToJsonString());
        var mediaType = docker ? "application/vnd.docker.distribution.manifest.v2+json" : "application/vnd.oci.image.manifest.v1+json";
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
        };
        if (artifactType is not null)
        {
            manifest["artifactType"] = artifactType;
        }

        manifest["config"] = Descriptor(docker ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json", config);
        manifest["layers"] = new JsonArray(layers.Select(l => (JsonNode)Descriptor(docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : LayerMediaType, l)).ToArray());
        if (subject is not null)
        {
            manifest["subject"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = subject, ["size"] = subjectSize };
        }

        return new TestImage(config, layers, Encoding.UTF8.GetBytes(manifest.ToJsonString()), mediaType);
    }

    /// <summary>An image index over some manifests.</summary>
    public static byte[] Index(params TestImage[] images) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["schemaVersion"] = 2,
        ["mediaType"] = "application/vnd.oci.image.index.v1+json",
        ["manifests"] = new JsonArray(images.Select((m, i) => (JsonNode)new JsonObject
        {
            ["mediaType"] = m.MediaType,
            ["digest"] = m.Digest,
            ["size"] = m.Manifest.Length,
            ["platform"] = new JsonObject { ["architecture"] = i == 0 ? "amd64" : "arm64", ["os"] = "linux" },
        }).ToArray()),
    }.ToJsonString());

    /// <summary>Writes the image as an OCI layout directory (what skopeo's <c>oci:</c> transport reads) under <paramref name="tag"/>.</summary>
    public void WriteLayout(string directory, string tag)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        foreach (var blob in Blobs.Append(Manifest))
        {
            File.WriteAllBytes(Path.Combine(blobs, OciClient.Digest(blob)["sha256:".Length..]), blob);
        }

        File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllText(Path.Combine(directory, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = MediaType,
                ["digest"] = Digest,
                ["size"] = Manifest.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
            }),
        }.ToJsonString());
    }

    /// <summary>Writes an OCI layout whose tag names an index over <paramref name="images"/>.</summary>
    public static void WriteIndexLayout(string directory, string tag, params TestImage[] images)
    {
        foreach (var image in images)
        {
            image.WriteLayout(directory, "unused");
        }

        var index = Index(images);
        File.WriteAllBytes(Path.Combine(directory, "blobs", "sha256", OciClient.Digest(index)["sha256:".Length..]), index);
        File.WriteAllText(Path.Combine(directory, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.index.v1+json",
                ["digest"] = OciClient.Digest(index),
                ["size"] = index.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
            }),
        }.ToJsonString());
    }

    private static JsonObject Descriptor(string mediaType, byte[] content) =>
        new() { ["mediaType"] = mediaType, ["digest"] = OciClient.Digest(content), ["size"] = content.Length };
}
