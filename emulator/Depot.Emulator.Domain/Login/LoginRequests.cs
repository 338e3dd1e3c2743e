using System.Collections.Concurrent;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Domain.Login;

/// <summary>Device logins: StartLogin opens one, a person (or the control plane) approves it for a user, FinishLogin waits.</summary>
public sealed class LoginRequests(DepotState state) : IResettable
{
    private readonly ConcurrentDictionary<string, PendingLogin> _pending = new();

    public PendingLogin Start()
    {
        var login = new PendingLogin(state.Ids.Id("login_"), state.Clock.GetUtcNow());
        _pending[login.Id] = login;
        return login;
    }

    public PendingLogin? Find(string id) => _pending.GetValueOrDefault(id);

    public IReadOnlyList<PendingLogin> Pending() =>
        _pending.Values.Where(l => !l.IsApproved).OrderBy(l => l.StartedAt).ToList();

    public void Approve(string id, string userId)
    {
        var login = Find(id) ?? throw DepotErrors.NotFound("login", id);
        if (login.IsApproved)
        {
            throw DepotErrors.Precondition($"login {id} was already approved");
        }

        var issued = state.IssueToken(new TokenRequest(TokenType.User, UserId: userId, Description: "depot login"));
        login.Complete(issued.Secret, userId);
    }

    /// <summary>Waits for approval; the secret is handed out once and the login forgotten.</summary>
    public async Task<string> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var login = Find(id) ?? throw DepotErrors.NotFound("login", id);
        try
        {
            return await login.Approved.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw DepotErrors.Deadline(
                $"login {id} was not approved within {timeout.TotalSeconds:0} seconds");
        }
        finally
        {
            if (login.IsApproved)
            {
                _pending.TryRemove(id, out _);
            }
        }
    }

    public void Reset() => _pending.Clear();
}

public sealed class PendingLogin(string id, DateTimeOffset startedAt)
{
    private readonly TaskCompletionSource<string> _approved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public string? UserId { get; private set; }

    public bool IsApproved => _approved.Task.IsCompleted;

    internal Task<string> Approved => _approved.Task;

    internal void Complete(string secret, string userId)
    {
        UserId = userId;
        _approved.TrySetResult(secret);
    }
}
