using System.Collections.Concurrent;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.OciRegistry;

/// <summary>A bearer the token endpoint issued: who asked, and what it was granted per repository.</summary>
internal sealed record RegistryBearer(
    Principal? Principal,
    IReadOnlyDictionary<string, IReadOnlySet<string>> Grants,
    DateTimeOffset ExpiresAt)
{
    public bool Allows(string repository, string operation) =>
        Grants.TryGetValue(repository, out var operations) && operations.Contains(operation);
}

/// <summary>Short-lived registry bearers, kept only as hashes of their secrets, like every other token.</summary>
internal sealed class RegistryBearerTokens(TimeProvider clock, IdGenerator ids) : IResettable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (byte[] Hash, RegistryBearer Bearer)> _issued = new(StringComparer.Ordinal);

    public (string Secret, RegistryBearer Bearer) Issue(Principal? principal, IReadOnlyDictionary<string, IReadOnlySet<string>> grants)
    {
        var now = clock.GetUtcNow();
        foreach (var (key, entry) in _issued)
        {
            if (entry.Bearer.ExpiresAt <= now)
            {
                _issued.TryRemove(key, out _);
            }
        }

        var secret = ids.Secret("depot_registry_");
        var hash = SecretHash.Of(secret);
        var bearer = new RegistryBearer(principal, grants, now + Lifetime);
        _issued[SecretHash.Key(hash)] = (hash, bearer);
        return (secret, bearer);
    }

    /// <summary>The bearer for a presented secret; null when this registry never issued it (it may be a Depot token).</summary>
    public RegistryBearer? Find(string secret)
    {
        var hash = SecretHash.Of(secret);
        return _issued.TryGetValue(SecretHash.Key(hash), out var entry) && SecretHash.Matches(entry.Hash, secret) ? entry.Bearer : null;
    }

    /// <summary>Whether the token the bearer was issued for still counts (not revoked, not expired).</summary>
    public bool StillValid(RegistryBearer bearer, DepotState state)
    {
        if (bearer.ExpiresAt <= clock.GetUtcNow())
        {
            return false;
        }

        if (bearer.Principal is not { } principal || principal.TokenId.StartsWith("oidc:", StringComparison.Ordinal))
        {
            return true;
        }

        var token = state.FindToken(principal.TokenId);
        return token is not null && (token.ExpiresAt is not { } expires || expires > clock.GetUtcNow());
    }

    public void Reset() => _issued.Clear();
}
