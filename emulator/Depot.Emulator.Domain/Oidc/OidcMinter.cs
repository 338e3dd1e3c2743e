using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Depot.Emulator.Domain.Oidc;

/// <summary>Signs tokens as the emulator's fake providers: RS256 with the provider's key and <c>kid</c>.</summary>
public sealed class OidcMinter(OidcSigningKeys keys, TimeProvider clock)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    private static readonly JsonWebTokenHandler Handler = new();

    /// <param name="baseUrl">The emulator's URL as the client reached it; the issuer lives under it.</param>
    /// <param name="overrides">Claims to set (any, including iss, aud, exp, nbf); a null value removes the claim.</param>
    public MintedToken Mint(OidcProvider provider, string baseUrl, string? audience, JsonObject? overrides, TimeSpan? lifetime = null)
    {
        var payload = provider.Payload(baseUrl, audience, clock.GetUtcNow(), lifetime ?? DefaultLifetime, overrides);
        var token = Handler.CreateToken(payload.ToJsonString(),
            new SigningCredentials(keys.For(provider), SecurityAlgorithms.RsaSha256));
        return new MintedToken(token, payload);
    }
}

public sealed record MintedToken(string Token, JsonObject Claims);
