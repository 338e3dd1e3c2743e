using Moby.BuildKit.V1;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>
/// A build's progress as <c>Control/Status</c> streams it: every batch published so far is replayed to a
/// late reader, then new ones as they come, until the build completes.
/// </summary>
internal sealed class StatusFeed
{
    private readonly object _lock = new();
    private readonly List<StatusResponse> _batches = [];
    private TaskCompletionSource _changed = NewSignal();
    private bool _completed;

    public void Publish(StatusResponse batch)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _batches.Add(batch);
            Pulse();
        }
    }

    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Pulse();
        }
    }

    public async IAsyncEnumerable<StatusResponse> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = 0;
        while (true)
        {
            List<StatusResponse> batches;
            bool completed;
            Task changed;
            lock (_lock)
            {
                batches = _batches.GetRange(next, _batches.Count - next);
                next = _batches.Count;
                completed = _completed;
                changed = _changed.Task;
            }

            foreach (var batch in batches)
            {
                yield return batch;
            }

            if (completed)
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private void Pulse()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
