using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Sqlite;

public sealed class SqliteSettingsStore(SqliteDatabase db) : ISettingsStore
{
    public static readonly SqliteArea Area = new("settings",
    [
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    ]);

    public string? Get(string key) => db.QueryOne("SELECT value FROM settings WHERE key = $key", r => r.GetString(0), ("$key", key));

    public void Set(string key, string value) =>
        db.Execute("INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("$key", key), ("$value", value));
}
