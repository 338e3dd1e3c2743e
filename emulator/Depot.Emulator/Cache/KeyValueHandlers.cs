using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.Cache;

/// <summary>The plain key-value protocols (Bazel, Gradle, sccache's WebDAV, Turborepo's artifacts): GET or HEAD a key, PUT it.</summary>
internal static class KeyValueHandlers
{
    public static async Task Get(CacheRequest request)
    {
        var store = request.Store;
        var entry = HttpMethods.IsHead(request.Http.Request.Method)
            ? store.Find(request.Organization, request.Route.EntryType, request.Key)
            : store.Hit(request.Organization, request.Route.EntryType, request.Key);
        if (entry is null)
        {
            await CacheResponses.MissAsync(request);
            return;
        }

        await CacheResponses.SendAsync(request.Http, store, entry);
    }

    public static async Task Put(CacheRequest request)
    {
        await request.Store.PutAsync(request.Organization, request.Route.EntryType, request.Key,
            CacheResponses.Body(request.Http, request.Store), null, request.Http.RequestAborted);
        request.Http.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>Bazel's CAS: the key is the SHA-256 of the content, and content that does not match is refused.</summary>
    public static async Task PutContentAddressed(CacheRequest request)
    {
        await request.Store.PutAsync(request.Organization, request.Route.EntryType, request.Key,
            CacheResponses.Body(request.Http, request.Store), null, request.Http.RequestAborted, new Digest("sha256", request.Key));
        request.Http.Response.StatusCode = StatusCodes.Status200OK;
    }
}
