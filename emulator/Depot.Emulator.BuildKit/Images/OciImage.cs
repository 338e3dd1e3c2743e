using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Depot.Emulator.BuildKit.Dockerfiles;

namespace Depot.Emulator.BuildKit.Images;

public sealed record Blob(string Digest, string MediaType, byte[] Data)
{
    public JsonObject Descriptor() => new() { ["mediaType"] = MediaType, ["digest"] = Digest, ["size"] = Data.Length };
}

/// <summary>An image ready to push: its manifest, configuration and single layer.</summary>
public sealed record OciImage(Blob Manifest, Blob Config, IReadOnlyList<Blob> Layers)
{
    public IEnumerable<Blob> Blobs => Layers.Append(Config);
}

/// <summary>
/// Writes a stage's files and configuration as an image: one gzip layer holding every file the build put in
/// place, a configuration with the Dockerfile's metadata, and a manifest (OCI or Docker media types).
/// Byte for byte the same for the same inputs.
/// </summary>
public static class ImageWriter
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static OciImage Write(StageImage image, bool ociMediaTypes, DateTimeOffset created)
    {
        var tar = Tar(image.Files, created);
        var layer = Gzip(tar);
        var layerBlob = new Blob(DockerfileInterpreter.Digest(layer),
            ociMediaTypes ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.docker.image.rootfs.diff.tar.gzip", layer);

        var time = created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var history = new JsonArray();
        foreach (var entry in image.Config.History)
        {
            history.Add(new JsonObject { ["created"] = time, ["created_by"] = entry.CreatedBy, ["comment"] = "depot-emulator", ["empty_layer"] = true });
        }

        history.Add(new JsonObject { ["created"] = time, ["created_by"] = "files placed by COPY, ADD and WORKDIR", ["comment"] = "depot-emulator" });
        var config = new JsonObject
        {
            ["architecture"] = image.Config.Architecture,
            ["config"] = image.Config.ToJson(),
            ["created"] = time,
            ["history"] = history,
            ["os"] = image.Config.Os,
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(DockerfileInterpreter.Digest(tar)) },
        };
        if (image.Config.Author is { } author)
        {
            config["author"] = author;
        }

        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, Compact);
        var configBlob = new Blob(DockerfileInterpreter.Digest(configBytes),
            ociMediaTypes ? "application/vnd.oci.image.config.v1+json" : "application/vnd.docker.container.image.v1+json", configBytes);

        var manifestType = ociMediaTypes ? "application/vnd.oci.image.manifest.v1+json" : "application/vnd.docker.distribution.manifest.v2+json";
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = manifestType,
            ["config"] = configBlob.Descriptor(),
            ["layers"] = new JsonArray(layerBlob.Descriptor()),
        };
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, Compact);
        return new OciImage(new Blob(DockerfileInterpreter.Digest(manifestBytes), manifestType, manifestBytes), configBlob, [layerBlob]);
    }

    /// <summary>The layer before compression: what <c>-o type=tar</c> and <c>type=local</c> export too.</summary>
    public static byte[] Tar(VirtualFs files, DateTimeOffset mtime)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (path, entry) in files.Entries)
            {
                var name = path.TrimStart('/') + (entry.IsDirectory ? "/" : "");
                var tarEntry = new UstarTarEntry(entry.IsDirectory ? TarEntryType.Directory : TarEntryType.RegularFile, name)
                {
                    Mode = (UnixFileMode)(entry.Mode & 0xFFF),
                    ModificationTime = mtime,
                    Uid = 0,
                    Gid = 0,
                };
                if (!entry.IsDirectory)
                {
                    tarEntry.DataStream = new MemoryStream(entry.Data, writable: false);
                }

                writer.WriteEntry(tarEntry);
            }
        }

        return buffer.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }
}
