using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Storage.Memory;

/// <summary>Tokens keyed by hash and by id; pull tokens also queued by expiry, so evicting them never scans the rest.</summary>
public sealed class MemoryTokenStore : ITokenStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, TokenRecord> _byHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _hashById = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _pullExpiries = new();

    public TokenRecord? FindByHash(byte[] secretHash)
    {
        lock (_lock)
        {
            return _byHash.GetValueOrDefault(SecretHash.Key(secretHash));
        }
    }

    public TokenRecord? Find(string id)
    {
        lock (_lock)
        {
            return _hashById.TryGetValue(id, out var key) ? _byHash[key] : null;
        }
    }

    public IReadOnlyList<TokenRecord> ForProject(string projectId, TokenType type)
    {
        lock (_lock)
        {
            return _byHash.Values.Where(t => t.Type == type && t.ProjectId == projectId)
                .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
        }
    }

    public IReadOnlyList<TokenRecord> All()
    {
        lock (_lock)
        {
            return _byHash.Values.ToList();
        }
    }

    public bool Add(TokenRecord token)
    {
        var key = SecretHash.Key(token.SecretHash);
        lock (_lock)
        {
            if (_byHash.ContainsKey(key) || !_hashById.TryAdd(token.Id, key))
            {
                return false;
            }

            _byHash[key] = token;
            if (token is { Type: TokenType.Pull, ExpiresAt: { } expires })
            {
                _pullExpiries.Enqueue(token.Id, expires);
            }

            return true;
        }
    }

    public bool Update(TokenRecord token)
    {
        lock (_lock)
        {
            if (!_hashById.TryGetValue(token.Id, out var key))
            {
                return false;
            }

            _byHash[key] = token with { SecretHash = _byHash[key].SecretHash };
            return true;
        }
    }

    public bool Delete(string id)
    {
        lock (_lock)
        {
            if (!_hashById.Remove(id, out var key))
            {
                return false;
            }

            _byHash.Remove(key);
            return true;
        }
    }

    public void DeleteProject(string projectId)
    {
        lock (_lock)
        {
            foreach (var token in _byHash.Values.Where(t => t.ProjectId == projectId).ToList())
            {
                Delete(token.Id);
            }
        }
    }

    public int EvictPullTokens(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            var evicted = 0;
            while (_pullExpiries.TryPeek(out var id, out var expires) && expires <= cutoff)
            {
                _pullExpiries.Dequeue();
                // Already deleted, or re-timed by an update: only a pull token still expired goes.
                if (Find(id) is { Type: TokenType.Pull, ExpiresAt: { } current } && current <= cutoff && Delete(id))
                {
                    evicted++;
                }
            }

            return evicted;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _byHash.Clear();
            _hashById.Clear();
            _pullExpiries.Clear();
        }
    }
}
