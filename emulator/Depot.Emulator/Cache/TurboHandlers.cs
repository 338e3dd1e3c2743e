using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Cache;

/// <summary>Turborepo's remote cache API beyond plain artifacts: its status probe, its events, and the task duration it keeps.</summary>
internal static class TurboHandlers
{
    private const string Duration = "x-artifact-duration";
    private const int MaxEventsBytes = 1024 * 1024;

    public static Task Status(CacheRequest request) => request.Http.Response.WriteAsJsonAsync(new { status = "enabled" });

    /// <summary>Cache hit and miss events: read (within a bound) and acknowledged; hits are counted where artifacts are read.</summary>
    public static async Task Events(CacheRequest request)
    {
        var buffer = new byte[16 * 1024];
        long total = 0;
        int read;
        while ((read = await request.Http.Request.Body.ReadAsync(buffer, request.Http.RequestAborted)) > 0)
        {
            total += read;
            if (total > MaxEventsBytes)
            {
                throw DepotErrors.Invalid($"an events batch may hold at most {MaxEventsBytes} bytes");
            }
        }

        await request.Http.Response.WriteAsJsonAsync(new { });
    }

    /// <summary>Stores the artifact with the task's duration, which a later hit hands back.</summary>
    public static async Task Put(CacheRequest request)
    {
        var duration = request.Http.Request.Headers[Duration].ToString();
        var name = int.TryParse(duration, out var ms) && ms >= 0 ? ms.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        await request.Store.PutAsync(request.Organization, request.Route.EntryType, request.Key,
            CacheResponses.Body(request.Http, request.Store), name, request.Http.RequestAborted);
        request.Http.Response.StatusCode = StatusCodes.Status202Accepted;
        await request.Http.Response.WriteAsJsonAsync(new { urls = new[] { $"{request.Http.Request.PathBase}{request.Http.Request.Path}" } });
    }

    public static async Task Get(CacheRequest request)
    {
        if (request.Store.Find(request.Organization, request.Route.EntryType, request.Key) is { Name: { } ms })
        {
            request.Http.Response.Headers[Duration] = ms;
        }

        await KeyValueHandlers.Get(request);
    }
}
