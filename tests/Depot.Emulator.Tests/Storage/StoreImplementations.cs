using Depot.Emulator.Domain.Storage;
using Depot.Emulator.Sqlite;

namespace Depot.Emulator.Tests.Storage;

/// <summary>One way of keeping the stores; every conformance suite runs against each.</summary>
public abstract class StoreImplementation : IDisposable
{
    public abstract StateStores Open();

    /// <summary>The stores as a restarted emulator would find them.</summary>
    public abstract StateStores Reopen();

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

public sealed class MemoryStores : StoreImplementation
{
    private StateStores? _stores;

    public override StateStores Open() => _stores = StateStores.InMemory();

    // Memory has nothing to reopen: the same stores stand for the process that never stopped.
    public override StateStores Reopen() => _stores!;
}

public sealed class SqliteStores : StoreImplementation
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "depot-store-tests", Guid.NewGuid().ToString("N"));
    private SqliteDatabase? _db;

    public string DatabasePath => Path.Combine(_directory, "state.db");

    public override StateStores Open()
    {
        Directory.CreateDirectory(_directory);
        _db = SqliteDatabase.Open(DatabasePath, SqliteStateStores.Areas);
        return SqliteStateStores.On(_db);
    }

    public override StateStores Reopen()
    {
        _db?.Dispose();
        return Open();
    }

    public override void Dispose()
    {
        _db?.Dispose();
        Directory.Delete(_directory, recursive: true);
        base.Dispose();
    }
}

/// <summary>Base of every store's conformance suite: fresh stores of <typeparamref name="TStores"/> per test.</summary>
public abstract class StoreConformance<TStores> : IDisposable
    where TStores : StoreImplementation, new()
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TStores _implementation = new();

    protected StoreConformance() => Stores = _implementation.Open();

    protected StateStores Stores { get; private set; }

    protected void Reopen() => Stores = _implementation.Reopen();

    public void Dispose()
    {
        _implementation.Dispose();
        GC.SuppressFinalize(this);
    }
}
