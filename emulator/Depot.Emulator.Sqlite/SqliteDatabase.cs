using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Storage;
using Microsoft.Data.Sqlite;

namespace Depot.Emulator.Sqlite;

/// <summary>
/// The data dir's <c>state.db</c>: one connection in WAL mode with full sync, so a change is on disk when the call
/// that made it returns. Opening applies each area's pending migrations and refuses a database that an emulator with
/// newer migrations (or areas this one does not know) has written. Every store shares it and its transactions.
/// </summary>
public sealed class SqliteDatabase : IStateTransactions, IDisposable
{
    private readonly object _lock = new();
    private readonly SqliteConnection _connection;
    private SqliteTransaction? _transaction;

    private SqliteDatabase(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/> and brings every area up to date.</summary>
    public static SqliteDatabase Open(string path, IEnumerable<SqliteArea> areas)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        var database = new SqliteDatabase(connection, path);
        try
        {
            database.Execute("PRAGMA journal_mode = WAL");
            database.Execute("PRAGMA synchronous = FULL");
            database.Execute("PRAGMA foreign_keys = ON");
            database.Execute("PRAGMA busy_timeout = 5000");
            database.Migrate(areas.ToList());
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>The version each area's tables are at.</summary>
    public IReadOnlyDictionary<string, int> Versions() =>
        Query("SELECT area, version FROM schema_versions", r => (r.GetString(0), r.GetInt32(1))).ToDictionary(v => v.Item1, v => v.Item2);

    public T Run<T>(Func<T> work)
    {
        lock (_lock)
        {
            if (_transaction is not null)
            {
                return work();
            }

            _transaction = _connection.BeginTransaction(deferred: false);
            try
            {
                var result = work();
                _transaction.Commit();
                return result;
            }
            catch
            {
                _transaction.Rollback();
                throw;
            }
            finally
            {
                _transaction.Dispose();
                _transaction = null;
            }
        }
    }

    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (_lock)
        {
            using var command = Command(sql, parameters);
            return command.ExecuteNonQuery();
        }
    }

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        lock (_lock)
        {
            using var command = Command(sql, parameters);
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(map(reader));
            }

            return rows;
        }
    }

    public T? QueryOne<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
        where T : class => Query(sql, map, parameters).FirstOrDefault();

    public void Dispose()
    {
        lock (_lock)
        {
            _connection.Dispose();
        }
    }

    private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private void Migrate(IReadOnlyList<SqliteArea> areas)
    {
        Execute("CREATE TABLE IF NOT EXISTS schema_versions (area TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        var versions = Versions();
        var known = areas.ToDictionary(a => a.Name, StringComparer.Ordinal);
        foreach (var (area, version) in versions)
        {
            if (!known.TryGetValue(area, out var ours) || version > ours.Version)
            {
                throw DepotErrors.Precondition(
                    $"{Path} was written by a newer emulator: its {area} tables are at version {version}, and this emulator " +
                    $"knows {(ours is null ? "no such tables" : $"up to version {ours.Version}")}. Start the newer emulator on it, " +
                    "or another --data-dir; nothing in it was changed.");
            }
        }

        foreach (var area in areas)
        {
            var current = versions.GetValueOrDefault(area.Name);
            for (var next = current + 1; next <= area.Version; next++)
            {
                var step = next;
                Run(() =>
                {
                    Execute(area.Migrations[step - 1]);
                    return Execute("INSERT INTO schema_versions (area, version) VALUES ($area, $version) " +
                        "ON CONFLICT (area) DO UPDATE SET version = excluded.version", ("$area", area.Name), ("$version", step));
                });
            }
        }
    }
}
