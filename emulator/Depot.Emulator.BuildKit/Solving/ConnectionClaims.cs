using System.Collections.Concurrent;
using Grpc.Core;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>Asks the host once per connection which build it serves, and remembers the answer.</summary>
internal sealed class ConnectionClaims(IBuildKitHost host)
{
    private const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, BuildKitClaim?> _claims = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public BuildKitClaim? For(ServerCallContext context)
    {
        var connection = context.GetHttpContext().Connection.Id;
        if (_claims.TryGetValue(connection, out var known))
        {
            return known;
        }

        var claim = _claims.GetOrAdd(connection, host.Claim);
        _order.Enqueue(connection);
        while (_order.Count > Capacity && _order.TryDequeue(out var oldest))
        {
            _claims.TryRemove(oldest, out _);
        }

        return claim;
    }
}
