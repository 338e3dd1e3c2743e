using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Depot.Emulator.Domain.Errors;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Depot.Emulator.Domain.Oidc;

/// <summary>
/// Validates a CI provider's JWT with Microsoft.IdentityModel: a known issuer, a signature from that issuer's JWKS
/// under an allowed algorithm, the audience, and the lifetime on the emulator's clock. Every refusal names the
/// check that failed.
/// </summary>
public sealed partial class OidcVerifier(OidcSigningKeys keys, OidcIssuers issuers, TimeProvider clock)
{
    /// <summary>Asymmetric algorithms only: no <c>none</c>, and no HMAC a public key could be abused for.</summary>
    public static readonly IReadOnlyList<string> AllowedAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384,
    ];

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    /// <summary>Whether a bearer is JWT-shaped, and so meant for this verifier rather than the token table.</summary>
    public static bool LooksLikeJwt(string bearer) => bearer.StartsWith("eyJ", StringComparison.Ordinal) && bearer.Count(c => c == '.') == 2;

    /// <summary>The identity a JWT proves, or the check it failed, as a value.</summary>
    public async ValueTask<(TrustIdentity? Identity, DepotException? Failure)> TryVerifyAsync(string token, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await VerifyAsync(token, cancellationToken), null);
        }
        catch (DepotException e)
        {
            return (null, e);
        }
    }

    public async ValueTask<TrustIdentity> VerifyAsync(string token, CancellationToken cancellationToken = default)
    {
        JsonWebToken jwt;
        OidcClaims claims;
        try
        {
            jwt = new JsonWebToken(token);
            claims = OidcClaims.Parse(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload)));
            // The header is parsed lazily; a malformed one (a repeated key, say) fails here, not later.
            _ = jwt.Alg;
            _ = jwt.Kid;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or JsonException or FormatException or InvalidOperationException)
        {
            throw Fail("is not a well-formed JWT (three base64url parts: a JSON header, a JSON payload, a signature)");
        }

        var alg = jwt.Alg;
        if (string.IsNullOrEmpty(alg) || !AllowedAlgorithms.Contains(alg))
        {
            throw Fail($"alg \"{alg}\" is not allowed: signatures must use {string.Join(", ", AllowedAlgorithms)}");
        }

        var issuer = claims.String("iss");
        if (string.IsNullOrEmpty(issuer))
        {
            throw Fail("has no iss claim");
        }

        var (provider, signingKeys) = await ResolveAsync(issuer, cancellationToken)
            ?? throw Fail($"issuer \"{issuer}\" is unknown: trusted issuers are the emulator's own " +
                          "(<emulator>/_emulator/oidc/{github|circleci/org/<uuid>|buildkite|gitlab|rwx}) and those given with --oidc-issuers");

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            IssuerSigningKeys = signingKeys,
            TryAllIssuerSigningKeys = string.IsNullOrEmpty(jwt.Kid),
            ValidAlgorithms = AllowedAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            LifetimeValidator = ValidateLifetime,
            ValidateAudience = true,
            AudienceValidator = (audiences, _, _) => audiences.Any(a => provider.AcceptsAudience(a, claims)),
        };
        var result = await Handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
        {
            throw Explain(result.Exception, jwt, claims, provider, issuer);
        }

        if (provider.Contradiction(claims, issuer) is { } contradiction)
        {
            throw Fail(contradiction);
        }

        foreach (var required in provider.RequiredClaims)
        {
            if (string.IsNullOrEmpty(claims.String(required)))
            {
                throw Fail($"from {provider.Title} has no {required} claim");
            }
        }

        return new TrustIdentity(provider, issuer, claims, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    /// <summary>The library's lifetime rules, on the emulator's clock (which the control plane can move).</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("exp is missing");
        }

        if (notBefore is { } nbf && nbf > exp)
        {
            throw new SecurityTokenInvalidLifetimeException("nbf is after exp") { NotBefore = nbf, Expires = exp };
        }

        if (notBefore is { } early && early > now + parameters.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("nbf is in the future") { NotBefore = early };
        }

        if (exp < now - parameters.ClockSkew)
        {
            throw new SecurityTokenExpiredException("exp is in the past") { Expires = exp };
        }

        return true;
    }

    private async ValueTask<(OidcProvider, IList<SecurityKey>)?> ResolveAsync(string issuer, CancellationToken cancellationToken)
    {
        if (issuers.Find(issuer) is { } configured)
        {
            return (configured.Provider, await configured.Keys(cancellationToken));
        }

        // The emulator's own issuers are recognised by path, whatever host the token was fetched through:
        // only the emulator holds their private keys, so the signature proves where the token came from.
        if (Uri.TryCreate(issuer, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            && BuiltInIssuerPath().Match(uri.AbsolutePath) is { Success: true } m
            && OidcProvider.Find(m.Groups["provider"].Value) is { } provider)
        {
            return (provider, [keys.For(provider)]);
        }

        return null;
    }

    [GeneratedRegex(@"/_emulator/oidc/(?:(?<provider>github|buildkite|gitlab|rwx)|(?<provider>circleci)/org/[0-9a-fA-F-]{36})$")]
    private static partial Regex BuiltInIssuerPath();

    private static DepotException Explain(Exception? e, JsonWebToken jwt, OidcClaims claims, OidcProvider provider, string issuer) => e switch
    {
        SecurityTokenExpiredException expired => Fail($"expired at {expired.Expires:O}"),
        SecurityTokenNotYetValidException early => Fail($"is not valid before {early.NotBefore:O} (nbf)"),
        SecurityTokenNoExpirationException => Fail("has no exp claim"),
        SecurityTokenInvalidLifetimeException => Fail("has an invalid lifetime (nbf after exp)"),
        SecurityTokenInvalidAudienceException => Fail(
            $"audience {(claims.Audiences.Count == 0 ? "(missing)" : string.Join(", ", claims.Audiences.Select(a => $"\"{a}\"")))} " +
            $"is not accepted: {provider.Title} tokens must be issued for {OidcProvider.DepotAudience}" +
            (provider == OidcProvider.CircleCi ? " (or the CircleCI organization UUID)" : "")),
        SecurityTokenSignatureKeyNotFoundException => Fail($"kid \"{jwt.Kid}\" is not in the JWKS of issuer {issuer}"),
        SecurityTokenInvalidAlgorithmException => Fail($"alg \"{jwt.Alg}\" is not allowed"),
        SecurityTokenInvalidSignatureException => Fail($"signature does not verify against the JWKS of issuer {issuer}"),
        _ => Fail($"was rejected: {e?.GetType().Name ?? "validation failed"}"),
    };

    private static DepotException Fail(string what) => DepotErrors.Unauthenticated("OIDC token " + what);
}
