using Depot.Emulator.Domain.Registry;
using Microsoft.Net.Http.Headers;

namespace Depot.Emulator.Registry;

/// <summary>Blobs: served from disk with Range support, and unlinked from a repository on delete.</summary>
internal static class BlobHandlers
{
    public static Task Get(RegistryRequest request)
    {
        var digest = request.DigestValue("digest");
        _ = request.Storage.FindBlob(request.Repo.Name, digest)
            ?? throw new RegistryException(RegistryErrors.BlobUnknown, $"{digest} in {request.Name}");
        request.Headers["Docker-Content-Digest"] = digest.ToString();
        return Results.File(request.Storage.Blobs.PathOf(digest), "application/octet-stream",
            entityTag: new EntityTagHeaderValue($"\"{digest}\""), enableRangeProcessing: true).ExecuteAsync(request.Http);
    }

    public static Task Delete(RegistryRequest request)
    {
        var digest = request.DigestValue("digest");
        if (!request.Storage.DeleteBlob(request.Repo.Name, digest))
        {
            throw new RegistryException(RegistryErrors.BlobUnknown, $"{digest} in {request.Name}");
        }

        request.Storage.CollectBytes();
        request.Http.Response.StatusCode = StatusCodes.Status202Accepted;
        request.Http.Response.ContentLength = 0;
        return Task.CompletedTask;
    }
}
