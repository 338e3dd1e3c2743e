using System.Collections.Concurrent;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Domain.Oidc;

/// <summary>
/// <c>POST /auth/oidc/github-actions</c> (depot/setup-action): a validated CI token that satisfies at least one
/// trust policy becomes an opaque Depot token with the same identity, valid until the CI token expires.
/// </summary>
public sealed class OidcExchange(OidcVerifier verifier, DepotState state) : IResettable
{
    public const string SecretPrefix = "depot_oidc_";

    private readonly ConcurrentDictionary<string, TrustIdentity> _issued = new(StringComparer.Ordinal);

    public async Task<string> ExchangeAsync(string jwt, OidcProvider expected, CancellationToken cancellationToken = default)
    {
        var identity = await verifier.VerifyAsync(jwt, cancellationToken);
        if (identity.Provider != expected)
        {
            throw DepotErrors.Unauthenticated($"OIDC token was issued by {identity.Provider.Title}, not {expected.Title}");
        }

        if (!state.AllTrustPolicies().Any(p => identity.Satisfies(p.Rule)))
        {
            throw DepotErrors.Unauthenticated($"OIDC token {identity.Provider.Describe(identity.Claims)} matches no trust relationship of any project");
        }

        var secret = state.Ids.Secret(SecretPrefix);
        _issued[SecretHash.Key(SecretHash.Of(secret))] = identity;
        return secret;
    }

    /// <summary>The identity behind an exchanged token (null when the secret is not one), or why it no longer counts.</summary>
    public (TrustIdentity? Identity, DepotException? Failure) Find(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
            || !_issued.TryGetValue(SecretHash.Key(SecretHash.Of(secret)), out var identity))
        {
            return (null, null);
        }

        return identity.ExpiresAt <= state.Clock.GetUtcNow()
            ? (null, DepotErrors.Unauthenticated($"trust-relationship token expired at {identity.ExpiresAt:O}, with the CI token it was exchanged for"))
            : (identity, null);
    }

    public void Reset() => _issued.Clear();
}
