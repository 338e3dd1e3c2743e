using System.Collections.Concurrent;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>Which step digests were built before, per cache scope: a rebuild of the same inputs shows them CACHED.</summary>
internal sealed class BuildCache
{
    public const string SharedScope = "";

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _scopes = new(StringComparer.Ordinal);

    public bool Contains(string scope, string digest) =>
        _scopes.TryGetValue(scope, out var digests) && digests.ContainsKey(digest);

    public void Add(string scope, IEnumerable<string> digests)
    {
        var set = _scopes.GetOrAdd(scope, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
        foreach (var digest in digests)
        {
            set[digest] = 0;
        }
    }

    public void Clear() => _scopes.Clear();
}
