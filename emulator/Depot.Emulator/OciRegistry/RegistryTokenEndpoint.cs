using System.Text.Json.Nodes;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.OciRegistry;

/// <summary>
/// Docker token auth's endpoint (the <c>realm</c> of the 401 challenge): grants the intersection of the scopes asked
/// for and what the Depot token may do. A partial grant, or none, is not an error; the registry refuses later.
/// <c>GET</c> takes Basic credentials and <c>scope</c> query parameters; <c>POST</c> also takes the OAuth2 password grant
/// (<c>grant_type=password&amp;username=x-token&amp;password=…&amp;scope=…</c>) that containerd and docker try first.
/// </summary>
internal static class RegistryTokenEndpoint
{
    /// <summary>The credentials of an OAuth2 password-grant form, or null when the request is not one.</summary>
    public static async Task<RegistryCredentials?> FormCredentialsAsync(HttpContext http, RegistryRoute route)
    {
        if (route.Name != "token" || !HttpMethods.IsPost(http.Request.Method) || !http.Request.HasFormContentType)
        {
            return null;
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        return form["grant_type"].ToString() switch
        {
            "password" => RegistryCredentials.FromPasswordGrant(form["username"], form["password"]),
            var grant => throw new RegistryException(RegistryErrors.Unsupported,
                $"grant_type \"{grant}\" is not supported: use password with username {RegistryCredentials.Username} and a Depot token"),
        };
    }

    private static IEnumerable<string> Scopes(HttpRequest request) =>
        request.Query["scope"].Concat(request.HasFormContentType ? request.Form["scope"] : default)
            .SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));

    public static Task Issue(RegistryRequest request)
    {
        var http = request.Http;
        var hostOrganization = RegistryEndpoints.HostOrganization(http, request.Options);
        var grants = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var asked = Scopes(http.Request).ToList();
        foreach (var scope in asked)
        {
            var first = scope.IndexOf(':');
            var last = scope.LastIndexOf(':');
            if (first <= 0 || last <= first || scope[..first] != "repository")
            {
                continue; // registry:catalog:* and the like: nothing here to grant
            }

            var name = scope[(first + 1)..last];
            if (!RegistryNames.IsValidName(name))
            {
                continue;
            }

            var repository = RegistryRepository.FromName(name, hostOrganization);
            foreach (var action in scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var operations = action == "*" ? RegistryAccess.Actions.Values
                    : RegistryAccess.Actions.TryGetValue(action, out var one) ? [one] : [];
                foreach (var operation in operations)
                {
                    if (request.Auth.Permits(request.Access, http, operation, repository))
                    {
                        (grants.TryGetValue(repository.Name, out var set) ? set : grants[repository.Name] = []).Add(operation);
                    }
                }
            }
        }

        var tokens = http.RequestServices.GetRequiredService<RegistryBearerTokens>();
        var (secret, bearer) = tokens.Issue(request.Access.Principal,
            grants.ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Value, StringComparer.Ordinal));
        RegistryLog.TokenIssued(http.RequestServices.GetRequiredService<ILogger<RegistryAuth>>(),
            request.Access.Principal?.Describe() ?? "anonymous", string.Join(' ', asked),
            string.Join(' ', grants.Select(g => $"{g.Key}:{string.Join(',', g.Value)}")));
        http.Response.Headers.CacheControl = "no-store";
        return ContentDiscoveryHandlers.JsonAsync(http, new JsonObject
        {
            ["token"] = secret,
            ["access_token"] = secret,
            ["expires_in"] = (int)RegistryBearerTokens.Lifetime.TotalSeconds,
            ["issued_at"] = (bearer.ExpiresAt - RegistryBearerTokens.Lifetime).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        }, "application/json");
    }
}
