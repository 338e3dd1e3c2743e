using System.Globalization;

namespace Depot.Emulator.Cache;

/// <summary>
/// The WebDAV verbs sccache's client sends besides GET and PUT: directories are implicit (MKCOL always succeeds), and
/// PROPFIND answers for a directory or an entry that exists.
/// </summary>
internal static class WebDavHandlers
{
    public static Task MakeCollection(CacheRequest request)
    {
        request.Http.Response.StatusCode = StatusCodes.Status201Created;
        return Task.CompletedTask;
    }

    public static async Task PropFind(CacheRequest request)
    {
        var path = request.Http.Request.Path.Value ?? "/";
        string properties;
        if (request.Match.Groups["key"].Success)
        {
            var entry = request.Store.Find(request.Organization, request.Route.EntryType, request.Key);
            if (entry is null)
            {
                await CacheResponses.MissAsync(request);
                return;
            }

            properties = $"<D:resourcetype/><D:getcontentlength>{entry.Size.ToString(CultureInfo.InvariantCulture)}</D:getcontentlength>" +
                         $"<D:getlastmodified>{entry.CreatedAt.ToString("R", CultureInfo.InvariantCulture)}</D:getlastmodified>";
        }
        else
        {
            properties = "<D:resourcetype><D:collection/></D:resourcetype>";
        }

        request.Http.Response.StatusCode = StatusCodes.Status207MultiStatus;
        request.Http.Response.ContentType = "application/xml; charset=utf-8";
        await request.Http.Response.WriteAsync(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:multistatus xmlns:D=\"DAV:\"><D:response>" +
            $"<D:href>{System.Security.SecurityElement.Escape(path)}</D:href><D:propstat><D:prop>{properties}</D:prop>" +
            "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>");
    }
}
