using System.Collections.Concurrent;

namespace Depot.Emulator.BuildKit.Session;

/// <summary>The open sessions by id. A build may name its session before the session's stream arrives.</summary>
internal sealed class ClientSessions
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ClientSession>> _sessions = new(StringComparer.Ordinal);

    public void Add(ClientSession session) => Slot(session.Id).TrySetResult(session);

    public void Remove(ClientSession session) => _sessions.TryRemove(session.Id, out _);

    /// <summary>The session a Solve names, waiting a while for it to open. Solve may name it as <c>prefix:id</c>.</summary>
    public async Task<ClientSession> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var key = id.Contains(':') ? id[(id.IndexOf(':') + 1)..] : id;
        try
        {
            return await Slot(key).Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            _sessions.TryRemove(key, out _);
            throw new IOException($"no active session for {key}: the client opened none");
        }
    }

    private TaskCompletionSource<ClientSession> Slot(string id) =>
        _sessions.GetOrAdd(id, _ => new TaskCompletionSource<ClientSession>(TaskCreationOptions.RunContinuationsAsynchronously));
}
