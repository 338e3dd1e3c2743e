using System.Text.Json;

namespace Depot.Emulator.Domain.Registry;

public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    public static readonly IReadOnlyList<string> Manifests = [OciManifest, OciIndex, DockerManifest, DockerManifestList];

    public static bool IsIndex(string mediaType) => mediaType is OciIndex or DockerManifestList;
}

/// <summary>A content descriptor inside a manifest.</summary>
public sealed record Descriptor(string MediaType, Digest Digest, long Size, string? ArtifactType = null,
    IReadOnlyDictionary<string, string>? Annotations = null, bool HasUrls = false);

/// <summary>What a pushed manifest says about the content it needs and what it refers to.</summary>
public sealed record ParsedManifest(
    string MediaType,
    IReadOnlyList<Descriptor> Blobs,
    IReadOnlyList<Descriptor> Children,
    Descriptor? Subject,
    string? ArtifactType,
    IReadOnlyDictionary<string, string>? Annotations);

/// <summary>Reads the four manifest kinds Depot's registry stores: OCI image manifest and index, Docker v2 and list.</summary>
public static class ManifestParser
{
    public static ParsedManifest Parse(ReadOnlySpan<byte> content, string? contentType)
    {
        try
        {
            return ParseJson(content, contentType);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json checks a string's UTF-8 only when it is read.
            throw Invalid("the body is not valid UTF-8 JSON: " + e.Message);
        }
    }

    private static ParsedManifest ParseJson(ReadOnlySpan<byte> content, string? contentType)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content.ToArray());
        }
        catch (JsonException e)
        {
            throw Invalid("the body is not JSON: " + e.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("a manifest is a JSON object");
            }

            if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number ||
                !version.TryGetInt32(out var v) || v != 2)
            {
                throw Invalid("schemaVersion must be 2");
            }

            var declared = OptionalString(root, "mediaType");
            var header = contentType?.Split(';')[0].Trim();
            if (declared is not null && !string.IsNullOrEmpty(header) && header != declared && header != "application/json")
            {
                throw Invalid($"Content-Type {header} does not match the manifest's mediaType {declared}");
            }

            var mediaType = declared ?? (string.IsNullOrEmpty(header) || header == "application/json" ? Guess(root) : header);
            if (!MediaTypes.Manifests.Contains(mediaType))
            {
                throw Invalid($"unsupported manifest media type \"{mediaType}\" (expected one of {string.Join(", ", MediaTypes.Manifests)})");
            }

            var subject = root.TryGetProperty("subject", out var s) ? ReadDescriptor(s, "subject") : null;
            var annotations = ReadAnnotations(root);
            if (MediaTypes.IsIndex(mediaType))
            {
                var children = ReadArray(root, "manifests");
                return new ParsedManifest(mediaType, [], children, subject, OptionalString(root, "artifactType"), annotations);
            }

            if (!root.TryGetProperty("config", out var config))
            {
                throw Invalid("an image manifest needs a config descriptor");
            }

            var configDescriptor = ReadDescriptor(config, "config");
            var blobs = new List<Descriptor> { configDescriptor };
            blobs.AddRange(ReadArray(root, "layers"));
            var artifactType = OptionalString(root, "artifactType") ?? configDescriptor.MediaType;
            return new ParsedManifest(mediaType, blobs, [], subject, artifactType, annotations);
        }
    }

    private static string Guess(JsonElement root) =>
        root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest;

    private static List<Descriptor> ReadArray(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var array))
        {
            return name == "layers" ? throw Invalid("an image manifest needs layers") : [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"{name} must be an array");
        }

        return array.EnumerateArray().Select((e, i) => ReadDescriptor(e, $"{name}[{i}]")).ToList();
    }

    private static Descriptor ReadDescriptor(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{where} must be a descriptor object");
        }

        var mediaType = OptionalString(element, "mediaType") ?? throw Invalid($"{where} has no mediaType");
        var digestText = OptionalString(element, "digest") ?? throw Invalid($"{where} has no digest");
        if (!Digest.TryParse(digestText, out var digest))
        {
            throw Invalid($"{where} has an invalid digest \"{digestText}\"");
        }

        if (!element.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number ||
            !sizeElement.TryGetInt64(out var size) || size < 0)
        {
            throw Invalid($"{where} needs a non-negative size");
        }

        var hasUrls = element.TryGetProperty("urls", out var urls) && urls.ValueKind == JsonValueKind.Array && urls.GetArrayLength() > 0;
        return new Descriptor(mediaType, digest, size, OptionalString(element, "artifactType"), ReadAnnotations(element), hasUrls);
    }

    private static Dictionary<string, string>? ReadAnnotations(JsonElement element)
    {
        if (!element.TryGetProperty("annotations", out var annotations) || annotations.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (annotations.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("annotations must be an object of strings");
        }

        return annotations.EnumerateObject().ToDictionary(p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw Invalid($"annotation {p.Name} must be a string"));
    }

    private static string? OptionalString(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw Invalid($"{name} must be a string");

    private static RegistryException Invalid(string detail) => new(RegistryErrors.ManifestInvalid, detail);
}
