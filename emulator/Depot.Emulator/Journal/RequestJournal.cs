using System.Text.Json.Nodes;

namespace Depot.Emulator.Journal;

/// <summary>One request as the journal keeps it. Secrets never appear: bodies are redacted, headers are not kept.</summary>
public sealed record JournalEntry(
    long Sequence,
    DateTimeOffset Time,
    string Method,
    string Path,
    string Protocol,
    string? Operation,
    string? TokenType,
    string? TokenId,
    string Decision,
    IReadOnlyList<string> WouldDeny,
    int Status,
    string? Code,
    string? Error,
    JsonNode? Request,
    JsonNode? Response);

/// <summary>The most recent requests, capped so that a long load test cannot grow it without bound.</summary>
public sealed class RequestJournal(EmulatorOptions options)
{
    private readonly LinkedList<JournalEntry> _entries = new();
    private long _sequence;

    public int Capacity => options.JournalCapacity;

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Add(JournalEntry entry)
    {
        if (Capacity == 0)
        {
            return;
        }

        lock (_entries)
        {
            _entries.AddLast(entry);
            while (_entries.Count > Capacity)
            {
                _entries.RemoveFirst();
            }
        }
    }

    public IReadOnlyList<JournalEntry> Query(string? operation, long? since, int limit)
    {
        lock (_entries)
        {
            return _entries
                .Where(e => operation is null || e.Operation == operation)
                .Where(e => since is null || e.Sequence > since)
                .TakeLast(limit)
                .ToList();
        }
    }

    public void Clear()
    {
        lock (_entries)
        {
            _entries.Clear();
        }
    }
}
