using System.Collections.Concurrent;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>Jobs by ref. A finished job lingers a little, so that a late status reader still sees its end.</summary>
internal sealed class SolveJobs(TimeProvider clock)
{
    private static readonly TimeSpan Linger = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, SolveJob> _jobs = new(StringComparer.Ordinal);

    public SolveJob Get(string reference) => _jobs.GetOrAdd(reference, r => new SolveJob(r, new StatusFeed()));

    public SolveJob? Find(string reference) => _jobs.GetValueOrDefault(reference);

    public void Finish(SolveJob job)
    {
        job.Feed.Complete();
        _ = Task.Delay(Linger, clock).ContinueWith(_ => _jobs.TryRemove(new KeyValuePair<string, SolveJob>(job.Ref, job)), TaskScheduler.Default);
    }
}
