using System.Text;

namespace Depot.Emulator.Cache;

/// <summary>
/// The token and organization a cache client sends, each tool its own way: <c>Authorization: Bearer</c> (gocache,
/// Turborepo, sccache's token), the bare token (Bazel's <c>--remote_header=authorization=…</c>), or Basic with the
/// organization as the user name (Gradle, sccache); the organization also as <c>x-depot-org</c> or Turborepo's team.
/// </summary>
internal sealed record CacheCredentials(string? Token, string? Organization)
{
    public const string HowToName = "the x-depot-org header (or the organization as the user name, or TURBO_TEAM)";

    public static CacheCredentials From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString().Trim();
        string? token = null;
        string? user = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            (user, token) = Basic(header["Basic ".Length..].Trim());
        }
        else if (header.Length > 0 && !header.Contains(' '))
        {
            token = header;
        }

        var organization = First(request.Headers["x-depot-org"].ToString(), user, request.Query["slug"].ToString(), request.Query["teamId"].ToString());
        return new CacheCredentials(string.IsNullOrEmpty(token) ? null : token, organization);
    }

    private static (string? User, string? Password) Basic(string encoded)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = text.IndexOf(':');
            return colon < 0 ? (null, text) : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
