using System.Text.Json;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Cache;

/// <summary>The one writer of cache protocol refusals: the HTTP status each tool understands, and a body that says why.</summary>
internal static class CacheErrors
{
    private static readonly Dictionary<DepotErrorKind, (int Status, string Code)> Statuses = new()
    {
        [DepotErrorKind.InvalidArgument] = (StatusCodes.Status400BadRequest, "bad_request"),
        [DepotErrorKind.NotFound] = (StatusCodes.Status404NotFound, "not_found"),
        [DepotErrorKind.AlreadyExists] = (StatusCodes.Status409Conflict, "conflict"),
        [DepotErrorKind.Unauthenticated] = (StatusCodes.Status401Unauthorized, "unauthorized"),
        [DepotErrorKind.PermissionDenied] = (StatusCodes.Status403Forbidden, "forbidden"),
        [DepotErrorKind.FailedPrecondition] = (StatusCodes.Status409Conflict, "conflict"),
        [DepotErrorKind.DeadlineExceeded] = (StatusCodes.Status504GatewayTimeout, "timeout"),
    };

    public static int StatusOf(DepotErrorKind kind) => Statuses[kind].Status;

    public static Task WriteAsync(HttpContext http, CacheErrorStyle style, DepotException error) =>
        WriteAsync(http, style, Statuses[error.Kind].Status, Statuses[error.Kind].Code, error.Message);

    public static async Task WriteAsync(HttpContext http, CacheErrorStyle style, int status, string code, string message)
    {
        if (http.Response.HasStarted)
        {
            http.Abort();
            return;
        }

        http.Response.Clear();
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            // Gradle and sccache send Basic credentials only when challenged for them.
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"Depot Cache\", Bearer";
        }

        if (style == CacheErrorStyle.Json)
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { code, message } }));
        }
        else
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(message + "\n");
        }
    }
}
