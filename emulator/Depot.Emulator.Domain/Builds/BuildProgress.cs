namespace Depot.Emulator.Domain.Builds;

/// <summary>
/// The steps (BuildKit vertices) and logs of one build, accumulated from the status batches the CLI reports.
/// Batches repeat vertices as they progress; the latest word on each field wins.
/// </summary>
public sealed class BuildProgress
{
    /// <summary>Log lines kept per build; later lines are counted, not kept.</summary>
    public const int MaxLogLines = 20_000;

    private readonly object _lock = new();
    private readonly Dictionary<string, StepRecord> _steps = new(StringComparer.Ordinal);
    private readonly List<StepRecord> _order = [];
    private readonly HashSet<(string, DateTimeOffset, int, string)> _seenLogs = [];
    private int _logLines;

    public int DroppedLogLines { get; private set; }

    public void RecordVertex(VertexReport vertex)
    {
        lock (_lock)
        {
            var step = Step(vertex.Digest);
            if (vertex.Name.Length > 0)
            {
                step.Name = vertex.Name;
            }

            step.Cached |= vertex.Cached;
            step.Started ??= vertex.Started;
            step.Completed = vertex.Completed ?? step.Completed;
            step.Error = string.IsNullOrEmpty(vertex.Error) ? step.Error : vertex.Error;
            if (!string.IsNullOrEmpty(vertex.StableDigest))
            {
                step.StableDigest = vertex.StableDigest;
            }
        }
    }

    /// <summary>A step's timing as a client summarised it; joins the vertex of the same stable digest or name.</summary>
    public void RecordTiming(string key, string name, bool cached, DateTimeOffset? started, DateTimeOffset? completed, string? error)
    {
        lock (_lock)
        {
            var step = _order.FirstOrDefault(s => s.StableDigest == key || s.Name == name) ?? Step(key);
            step.Name = name;
            step.Cached |= cached;
            step.Started ??= started;
            step.Completed ??= completed;
            step.Error ??= error;
        }
    }

    /// <summary>Adds a vertex's output; the same output reported twice (by the builder and the client) is kept once.</summary>
    public void RecordLog(string vertexDigest, DateTimeOffset at, int stream, string text)
    {
        lock (_lock)
        {
            if (_logLines >= MaxLogLines || !_seenLogs.Add((vertexDigest, at, stream, text)))
            {
                DroppedLogLines += _logLines >= MaxLogLines ? 1 : 0;
                return;
            }

            var step = Step(vertexDigest);
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (_logLines >= MaxLogLines)
                {
                    DroppedLogLines++;
                    continue;
                }

                _logLines++;
                step.Logs.Add(new BuildLogLine(at, stream, line.TrimEnd('\r')));
            }
        }
    }

    public IReadOnlyList<BuildStep> Steps()
    {
        lock (_lock)
        {
            return _order.Select(s => s.Snapshot()).ToList();
        }
    }

    public IReadOnlyList<BuildLogLine>? Logs(string digest)
    {
        lock (_lock)
        {
            return _steps.TryGetValue(digest, out var step) ? step.Logs.ToList() : null;
        }
    }

    private StepRecord Step(string digest)
    {
        if (!_steps.TryGetValue(digest, out var step))
        {
            step = new StepRecord(digest);
            _steps[digest] = step;
            _order.Add(step);
        }

        return step;
    }

    private sealed class StepRecord(string digest)
    {
        public string Name { get; set; } = "";

        public bool Cached { get; set; }

        public DateTimeOffset? Started { get; set; }

        public DateTimeOffset? Completed { get; set; }

        public string? Error { get; set; }

        public string? StableDigest { get; set; }

        public List<BuildLogLine> Logs { get; } = [];

        public BuildStep Snapshot() => new(digest, Name, Cached, Started, Completed, Error, StableDigest, Logs.Count > 0);
    }
}

/// <summary>A vertex as one status batch reports it; unset fields say nothing new.</summary>
public sealed record VertexReport(
    string Digest, string Name, bool Cached, DateTimeOffset? Started, DateTimeOffset? Completed, string? Error, string? StableDigest);

public sealed record BuildStep(
    string Digest, string Name, bool Cached, DateTimeOffset? Started, DateTimeOffset? Completed, string? Error, string? StableDigest, bool HasLogs);

public sealed record BuildLogLine(DateTimeOffset At, int Stream, string Text);
