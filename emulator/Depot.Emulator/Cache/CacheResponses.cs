using Depot.Emulator.Domain.Cache;
using Microsoft.AspNetCore.Http.Features;

namespace Depot.Emulator.Cache;

/// <summary>What every cache protocol shares on the wire: entry bodies out, request bodies in.</summary>
internal static class CacheResponses
{
    /// <summary>Sends the entry's bytes (HEAD: only their length), straight from the blob store, with Range support.</summary>
    public static async Task SendAsync(HttpContext http, CacheStore store, CacheEntry entry)
    {
        if (HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "application/octet-stream";
            http.Response.ContentLength = entry.Size;
            return;
        }

        await Results.Stream(store.OpenRead(entry), "application/octet-stream", enableRangeProcessing: true).ExecuteAsync(http);
    }

    /// <summary>Lets a body as large as an entry may be through Kestrel's default limit.</summary>
    public static Stream Body(HttpContext http, CacheStore store)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = store.Options.MaxEntryBytes;
        }

        return http.Request.Body;
    }

    public static Task MissAsync(CacheRequest request) =>
        CacheErrors.WriteAsync(request.Http, request.Route.Errors, StatusCodes.Status404NotFound, "not_found",
            $"no {request.Route.EntryType} entry {request.Key} in organization {request.Organization}'s cache");
}
