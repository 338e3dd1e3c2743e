using System.Text.Json;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.OciRegistry;

/// <summary>The one writer of <c>{"errors":[{"code","message","detail"}]}</c>, and how domain errors become OCI codes.</summary>
internal static class RegistryErrorWriter
{
    private static readonly Dictionary<DepotErrorKind, RegistryErrorCode> FromDomain = new()
    {
        [DepotErrorKind.Unauthenticated] = RegistryErrors.Unauthorized,
        [DepotErrorKind.PermissionDenied] = RegistryErrors.Denied,
        [DepotErrorKind.NotFound] = RegistryErrors.NameUnknown,
        [DepotErrorKind.InvalidArgument] = RegistryErrors.NameInvalid,
        [DepotErrorKind.AlreadyExists] = RegistryErrors.Unsupported,
        [DepotErrorKind.FailedPrecondition] = RegistryErrors.Unsupported,
        [DepotErrorKind.DeadlineExceeded] = RegistryErrors.TooManyRequests,
    };

    public static RegistryException Map(DepotException e) => new(FromDomain[e.Kind], e.Message);

    public static async Task WriteAsync(HttpContext http, RegistryException error)
    {
        var response = http.Response;
        if (response.HasStarted)
        {
            http.Abort();
            return;
        }

        response.StatusCode = error.Error.Status;
        response.ContentType = "application/json; charset=utf-8";
        if (HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            errors = new[] { new { code = error.Error.Code, message = error.Error.Message, detail = error.Detail } },
        });
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, http.RequestAborted);
    }
}
