using System.Text.RegularExpressions;

namespace Depot.Emulator.Domain.Identity;

/// <summary>
/// The one rule for secrets in anything the emulator writes down (logs, the journal, error messages): the fields and
/// headers that carry them, and the shapes of the secrets it issues, all replaced by <see cref="Mask"/>.
/// </summary>
public static partial class Redaction
{
    public const string Mask = "[redacted]";

    /// <summary>Message fields whose values are secrets, as protobuf JSON and the control plane name them.</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "token", "secret", "buildToken", "password", "value", "key", "accessToken", "access_token", "idToken", "privateKey",
    };

    /// <summary>Request headers that carry credentials; none is ever kept.</summary>
    public static readonly IReadOnlySet<string> Headers = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "X-Emulator-Token",
    };

    public static bool IsSecretField(string name) => Fields.Contains(name);

    /// <summary>Free text with every issued-secret shape masked: Depot-style tokens, JWTs, PEM private keys.</summary>
    public static string Text(string text) =>
        text.Length == 0 ? text : PemKey().Replace(Jwt().Replace(DepotSecret().Replace(text, Mask), Mask), Mask);

    [GeneratedRegex(@"depot_[a-z]+_[A-Za-z0-9_\-]{4,}")]
    private static partial Regex DepotSecret();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)")]
    private static partial Regex PemKey();
}
