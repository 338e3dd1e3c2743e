using Depot.Emulator.Domain.Registry;
using Microsoft.Net.Http.Headers;

namespace Depot.Emulator.OciRegistry;

/// <summary>Blobs: served from disk with Range support, and unlinked from a repository on delete.</summary>
internal static class BlobHandlers
{
    public static Task Get(RegistryRequest request)
    {
        var digest = request.DigestValue("digest");
        _ = request.Storage.FindBlob(request.Repo.Name, digest)
            ?? throw new RegistryException(RegistryErrors.BlobUnknown, $"{digest} in {request.Name}");
        request.Headers["Docker-Content-Digest"] = digest.ToString();
        var path = request.Storage.Blobs.PathOf(digest);
        var headers = request.Http.Request.Headers;
        if (HttpMethods.IsGet(request.Http.Request.Method) && headers.Range.Count == 0 && headers.IfRange.Count == 0 &&
            headers.IfNoneMatch.Count == 0 && headers.IfMatch.Count == 0)
        {
            return SendWholeAsync(request.Http, path, digest);
        }

        // Ranges, conditions and HEAD, as ASP.NET Core's file result implements them.
        return Results.File(path, "application/octet-stream",
            entityTag: new EntityTagHeaderValue($"\"{digest}\""), enableRangeProcessing: true).ExecuteAsync(request.Http);
    }

    /// <summary>
    /// A whole blob, read from the file straight into Kestrel's response buffers: one copy fewer than a stream copy,
    /// and no thread hop per chunk (reads come from the page cache).
    /// </summary>
    private static async Task SendWholeAsync(HttpContext http, string path, Digest digest)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/octet-stream";
        response.ContentLength = length;
        response.Headers.ETag = $"\"{digest}\"";
        response.Headers.AcceptRanges = "bytes";
        var writer = response.BodyWriter;
        for (long offset = 0; offset < length;)
        {
            var memory = writer.GetMemory(ChunkSize);
            var read = RandomAccess.Read(file, memory.Span[..(int)Math.Min(memory.Length, length - offset)], offset);
            if (read == 0)
            {
                throw new IOException($"{digest} ended at {offset} of {length} bytes");
            }

            writer.Advance(read);
            offset += read;
            var flushed = await writer.FlushAsync(http.RequestAborted);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                return;
            }
        }
    }

    private const int ChunkSize = 256 * 1024;

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
