using System.Globalization;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.Cache;

/// <summary>The presigned URLs CacheService hands out: one part of an upload in, an entry's bytes out.</summary>
internal static class PresignedHandlers
{
    /// <summary>Answers 200 with the part's <c>ETag</c>, which <c>FinalizeEntry</c> names back.</summary>
    public static async Task PutPart(CacheRequest request)
    {
        var id = request.Match.Groups["id"].Value;
        var upload = request.Store.FindUpload(id) ?? throw DepotErrors.NotFound("cache entry upload", id);
        var part = int.Parse(request.Match.Groups["part"].Value, CultureInfo.InvariantCulture);
        var etag = await request.Store.WritePartAsync(upload, part, CacheResponses.Body(request.Http, request.Store), request.Http.RequestAborted);
        request.Http.Response.StatusCode = StatusCodes.Status200OK;
        request.Http.Response.Headers.ETag = $"\"{etag}\"";
    }

    public static async Task Download(CacheRequest request)
    {
        var digest = new Digest("sha256", request.Match.Groups["digest"].Value);
        var size = request.Store.Blobs.SizeOf(digest) ?? throw DepotErrors.NotFound("cache content", digest.ToString());
        if (HttpMethods.IsHead(request.Http.Request.Method))
        {
            request.Http.Response.ContentLength = size;
            return;
        }

        await Results.Stream(request.Store.Blobs.OpenRead(digest), "application/octet-stream", enableRangeProcessing: true).ExecuteAsync(request.Http);
    }
}
