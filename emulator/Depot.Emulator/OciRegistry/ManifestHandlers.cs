using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.OciRegistry;

/// <summary>Manifests by tag or digest: pull, push (checked against the repository's blobs), delete.</summary>
internal static class ManifestHandlers
{
    public static async Task Get(RegistryRequest request)
    {
        var reference = Reference(request);
        var (manifest, content) = request.Storage.FindManifest(request.Repo.Name, reference)
            ?? throw new RegistryException(RegistryErrors.ManifestUnknown, $"{request.Name}:{reference}");
        var response = request.Http.Response;
        response.StatusCode = 200;
        response.ContentType = manifest.MediaType;
        response.ContentLength = content.Length;
        request.Headers["Docker-Content-Digest"] = manifest.Digest.ToString();
        request.Headers.ETag = $"\"{manifest.Digest}\"";
        if (!HttpMethods.IsHead(request.Http.Request.Method))
        {
            await response.Body.WriteAsync(content, request.Http.RequestAborted);
        }
    }

    public static async Task Put(RegistryRequest request)
    {
        var reference = Reference(request);
        var limit = request.Storage.Options.MaxManifestBytes;
        if (request.Http.Request.ContentLength > limit)
        {
            throw new RegistryException(RegistryErrors.ManifestTooLarge, $"{request.Http.Request.ContentLength} bytes; at most {limit}");
        }

        var content = await ReadBoundedAsync(request.Http, limit);
        var manifest = request.Storage.PutManifest(request.Repo.Name, reference, content, request.Http.Request.ContentType);
        request.Http.Response.StatusCode = StatusCodes.Status201Created;
        request.Headers.Location = request.Url($"manifests/{manifest.Digest}");
        request.Headers["Docker-Content-Digest"] = manifest.Digest.ToString();
        if (manifest.Subject is { } subject)
        {
            request.Headers["OCI-Subject"] = subject.ToString();
        }

        request.Http.Response.ContentLength = 0;
    }

    /// <summary>By digest, the manifest and its tags; by tag, only the tag. Blobs other manifests share are never touched.</summary>
    public static Task Delete(RegistryRequest request)
    {
        var reference = Reference(request);
        var deleted = Digest.TryParse(reference, out var digest)
            ? request.Storage.DeleteManifest(request.Repo.Name, digest)
            : request.Storage.DeleteTag(request.Repo.Name, reference);
        if (!deleted)
        {
            throw new RegistryException(RegistryErrors.ManifestUnknown, $"{request.Name}:{reference}");
        }

        request.Storage.CollectBytes();
        request.Http.Response.StatusCode = StatusCodes.Status202Accepted;
        request.Http.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    private static string Reference(RegistryRequest request)
    {
        var reference = request.Value("reference");
        if (reference.Contains(':'))
        {
            Digest.Parse(reference);
        }
        else
        {
            RegistryNames.RequireTag(reference);
        }

        return reference;
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContext http, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                throw new RegistryException(RegistryErrors.ManifestTooLarge, $"more than {limit} bytes");
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }
}
