using System.Net;
using System.Security.Cryptography;
using System.Text;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.ControlPlane;

/// <summary>
/// Keeps <c>/_emulator/*</c> for this machine's tools, not web pages: the Host must be a name the emulator serves
/// (no DNS rebinding), a browser's foreign Origin is refused, a body must be JSON (or the seed's YAML) so no
/// cross-site form or <c>text/plain</c> post gets through, and with <c>--control-token</c> the token is required.
/// Every refusal, unknown route and binding failure answers with the <c>{"error":{…}}</c> body.
/// </summary>
internal sealed class ControlPlaneGuard(RequestDelegate next, EmulatorOptions options)
{
    private static readonly string[] BodyTypes = ["application/json", "application/yaml", "application/x-yaml", "text/yaml"];

    public async Task InvokeAsync(HttpContext http)
    {
        if (Refusal(http) is { } refusal)
        {
            await ControlPlaneErrors.WriteAsync(http, refusal);
            return;
        }

        await next(http);
        var response = http.Response;
        if (!response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null or 0 && string.IsNullOrEmpty(response.ContentType))
        {
            // Routing and parameter binding answer with a bare status; the control plane's callers read a body.
            await ControlPlaneErrors.WriteAsync(http, response.StatusCode switch
            {
                404 => DepotErrors.RouteUnknown.Raise(http.Request.Method, http.Request.Path.Value),
                405 => DepotErrors.RouteUnknown.Raise(http.Request.Method, http.Request.Path.Value),
                _ => DepotErrors.Invalid($"the request to {http.Request.Path.Value} is not valid (status {response.StatusCode}): check its parameters and body"),
            }, response.StatusCode);
        }
    }

    private DepotException? Refusal(HttpContext http)
    {
        var request = http.Request;
        if (!HostServed(request.Host.Host))
        {
            return DepotErrors.ControlPlaneRefused.Raise($"Host {request.Host.Host} is not a name this emulator serves (use localhost, or --public-url)");
        }

        if (request.Headers.Origin.Count > 0 && !SameOrigin(http, request.Headers.Origin.ToString()))
        {
            return DepotErrors.ControlPlaneRefused.Raise("requests from web pages of another origin are refused");
        }

        if (HasBody(request) && !BodyTypeAccepted(request))
        {
            return DepotErrors.ControlPlaneRefused.Raise($"the body must be one of {string.Join(", ", BodyTypes)}");
        }

        if (options.ControlToken is { } expected && !Exempt(request) && !Presented(request, expected))
        {
            return DepotErrors.ControlTokenRequired.Raise();
        }

        return null;
    }

    /// <summary>Loopback names, the bound address, and the public URL's host; bound to every interface, any name.</summary>
    private bool HostServed(string host)
    {
        host = host.Trim('[', ']').ToLowerInvariant();
        if (options.Host is "0.0.0.0" or "::" or "*" or "+")
        {
            return true;
        }

        if (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal) ||
            (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)))
        {
            return true;
        }

        return host == options.Host.ToLowerInvariant() ||
               (options.PublicUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Equals(host, StringComparison.OrdinalIgnoreCase));
    }

    private bool SameOrigin(HttpContext http, string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var own = $"{http.Request.Scheme}://{http.Request.Host.Value}";
        return string.Equals(uri.GetLeftPart(UriPartial.Authority), own, StringComparison.OrdinalIgnoreCase) ||
               (options.PublicUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var pub) &&
                string.Equals(uri.GetLeftPart(UriPartial.Authority), pub.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase));
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>JSON or YAML; the login page's own form, which a browser can only send from the emulator's page (its Origin was checked).</summary>
    private static bool BodyTypeAccepted(HttpRequest request)
    {
        var media = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (media is null)
        {
            return false;
        }

        return BodyTypes.Contains(media) ||
               (media == "application/x-www-form-urlencoded" && HttpMethods.IsPost(request.Method) &&
                request.Path.StartsWithSegments("/_emulator/login") && request.Path.Value!.EndsWith("/approve", StringComparison.Ordinal));
    }

    /// <summary>What CLIs and a person's browser reach without the token: health, the CI identity providers, the login and build pages.</summary>
    private static bool Exempt(HttpRequest request)
    {
        var path = request.Path;
        return path == "/_emulator/health" ||
               path.StartsWithSegments("/_emulator/login") ||
               (HttpMethods.IsGet(request.Method) && (path.StartsWithSegments("/_emulator/oidc") || path.StartsWithSegments("/_emulator/builds") || path.StartsWithSegments("/_emulator/shared-builds"))) ||
               (HttpMethods.IsPost(request.Method) && path.StartsWithSegments("/_emulator/oidc/buildkite/agent"));
    }

    private static bool Presented(HttpRequest request, string expected)
    {
        var header = request.Headers["X-Emulator-Token"].ToString();
        if (header.Length == 0 && request.Headers.Authorization.ToString() is { } authorization &&
            authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            header = authorization["Bearer ".Length..].Trim();
        }

        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }
}
