using System.Text;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.OciRegistry;

/// <summary>
/// What a registry client presented: HTTP Basic with username <c>x-token</c> and a Depot token as the password, or a
/// Bearer (a token this registry issued, or a Depot token itself), or nothing.
/// </summary>
internal sealed record RegistryCredentials(string? Secret, bool IsBearer)
{
    public const string Username = "x-token";

    public static readonly RegistryCredentials None = new(null, false);

    /// <summary>The credentials of an Authorization header, or why they are malformed, as a value.</summary>
    public static (RegistryCredentials Credentials, DepotException? Malformed) Parse(string? header)
    {
        try
        {
            return (From(header), null);
        }
        catch (DepotException e)
        {
            return (None, e);
        }
    }

    private static RegistryCredentials From(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return None;
        }

        var space = header.IndexOf(' ');
        var scheme = space < 0 ? header : header[..space];
        var value = space < 0 ? "" : header[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return new RegistryCredentials(value, true);
        }

        if (!scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            // Never echoed: a header without a scheme is often the secret itself.
            throw DepotErrors.AuthorizationMalformed.Raise($"unsupported authorization scheme: use Basic ({Username}:<Depot token>) or Bearer");
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value));
        }
        catch (FormatException)
        {
            throw DepotErrors.AuthorizationMalformed.Raise("the Basic credentials are not base64");
        }

        var colon = decoded.IndexOf(':');
        var user = colon < 0 ? decoded : decoded[..colon];
        if (user != Username)
        {
            throw DepotErrors.Unauthenticated($"the username must be {Username}, with a Depot token as the password");
        }

        return new RegistryCredentials(colon < 0 ? "" : decoded[(colon + 1)..], false);
    }

    /// <summary>Basic credentials sent as an OAuth2 password grant (<c>POST /v2/token</c>, as docker login may).</summary>
    public static RegistryCredentials FromPasswordGrant(string? username, string? password) =>
        username == Username ? new RegistryCredentials(password, false)
        : throw DepotErrors.Unauthenticated($"the username must be {Username}, with a Depot token as the password");
}
