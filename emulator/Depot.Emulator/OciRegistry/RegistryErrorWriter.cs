using System.Text.Json;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.OciRegistry;

/// <summary>The one writer of <c>{"errors":[{"code","message","detail"}]}</c>, for registry errors and the catalogue's domain errors alike.</summary>
internal static class RegistryErrorWriter
{
    /// <summary>A domain error as the OCI code its catalogue entry declares.</summary>
    public static RegistryException Map(DepotException e) => new(e.Code.Oci, e.Message);

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
