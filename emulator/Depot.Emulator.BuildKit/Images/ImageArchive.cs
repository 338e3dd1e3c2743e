using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Depot.Emulator.BuildKit.Images;

/// <summary>
/// An image as one tarball: an OCI image layout (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/…</c>) for
/// <c>-o type=oci</c>, and the same with Docker's <c>manifest.json</c> beside it for <c>-o type=docker</c>, which
/// <c>docker load</c> reads. Byte for byte the same for the same image and names.
/// </summary>
public static class ImageArchive
{
    public static byte[] Oci(OciImage image, IReadOnlyList<string> names, DateTimeOffset modified) =>
        Write(image, names, modified, dockerManifest: false);

    public static byte[] Docker(OciImage image, IReadOnlyList<string> names, DateTimeOffset modified) =>
        Write(image, names, modified, dockerManifest: true);

    private static byte[] Write(OciImage image, IReadOnlyList<string> names, DateTimeOffset modified, bool dockerManifest)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["oci-layout"] = Json(new JsonObject { ["imageLayoutVersion"] = "1.0.0" }),
            ["index.json"] = Json(Index(image, names)),
        };
        foreach (var blob in image.Blobs.Prepend(image.Manifest))
        {
            files[BlobPath(blob)] = blob.Data;
        }

        if (dockerManifest)
        {
            files["manifest.json"] = Json(new JsonArray(new JsonObject
            {
                ["Config"] = BlobPath(image.Config),
                ["RepoTags"] = new JsonArray(names.Select(RepoTag).OfType<string>().Select(t => (JsonNode)t).ToArray()),
                ["Layers"] = new JsonArray(image.Layers.Select(l => (JsonNode)BlobPath(l)).ToArray()),
            }));
        }

        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            writer.WriteEntry(Directory("blobs/", modified));
            writer.WriteEntry(Directory("blobs/sha256/", modified));
            foreach (var (name, data) in files)
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    Mode = (UnixFileMode)0x1A4,
                    ModificationTime = modified,
                    DataStream = new MemoryStream(data, writable: false),
                });
            }
        }

        return buffer.ToArray();
    }

    private static JsonObject Index(OciImage image, IReadOnlyList<string> names)
    {
        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json" };
        var manifests = new JsonArray();
        var tagged = names.Select(n => (Name: n, Tag: RepoTag(n))).Where(n => n.Tag is not null).Select(n => (n.Name, Tag: n.Tag!)).ToList();
        if (tagged.Count == 0)
        {
            manifests.Add(image.Manifest.Descriptor());
        }

        foreach (var (name, tag) in tagged)
        {
            var descriptor = image.Manifest.Descriptor();
            descriptor["annotations"] = new JsonObject
            {
                ["io.containerd.image.name"] = name,
                ["org.opencontainers.image.ref.name"] = tag[(tag.LastIndexOf(':') + 1)..],
            };
            manifests.Add(descriptor);
        }

        index["manifests"] = manifests;
        return index;
    }

    /// <summary>A name as <c>docker images</c> shows it: Docker Hub's prefixes dropped, <c>:latest</c> when untagged; none for a digest.</summary>
    public static string? RepoTag(string name)
    {
        if (name.Contains('@', StringComparison.Ordinal) || name.Length == 0)
        {
            return null;
        }

        foreach (var prefix in new[] { "docker.io/library/", "docker.io/" })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                name = name[prefix.Length..];
                break;
            }
        }

        return name[(name.LastIndexOf('/') + 1)..].Contains(':', StringComparison.Ordinal) ? name : name + ":latest";
    }

    private static string BlobPath(Blob blob) => "blobs/sha256/" + blob.Digest["sha256:".Length..];

    private static UstarTarEntry Directory(string name, DateTimeOffset modified) =>
        new(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED, ModificationTime = modified };

    private static byte[] Json(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node);
}
