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

/// <summary>
/// The most recent requests, capped in entries and in bytes so that neither a long load test nor a few huge requests
/// can grow it without bound.
/// </summary>
public sealed class RequestJournal(EmulatorOptions options)
{
    private readonly LinkedList<(JournalEntry Entry, long Bytes)> _entries = new();
    private long _sequence;
    private long _bytes;

    public int Capacity => options.JournalCapacity;

    public long MaxBytes => options.JournalMaxBytes;

    /// <summary>What the entries kept take, as estimated when each was added.</summary>
    public long Bytes
    {
        get
        {
            lock (_entries)
            {
                return _bytes;
            }
        }
    }

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Add(JournalEntry entry)
    {
        if (Capacity == 0)
        {
            return;
        }

        var bytes = Size(entry);
        lock (_entries)
        {
            _entries.AddLast((entry, bytes));
            _bytes += bytes;
            while (_entries.Count > Capacity || (_bytes > MaxBytes && _entries.Count > 1))
            {
                _bytes -= _entries.First!.Value.Bytes;
                _entries.RemoveFirst();
            }
        }
    }

    public IReadOnlyList<JournalEntry> Query(string? operation, long? since, int limit)
    {
        lock (_entries)
        {
            return _entries
                .Select(e => e.Entry)
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
            _bytes = 0;
        }
    }

    /// <summary>Two bytes a character for the text an entry holds, plus its fixed fields.</summary>
    private static long Size(JournalEntry e) =>
        256 + 2L * (e.Path.Length + (e.Error?.Length ?? 0) + (e.Operation?.Length ?? 0) + e.WouldDeny.Sum(w => w.Length) +
                    (e.Request?.ToJsonString().Length ?? 0) + (e.Response?.ToJsonString().Length ?? 0));
}
