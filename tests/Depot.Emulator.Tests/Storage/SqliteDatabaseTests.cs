using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Sqlite;

namespace Depot.Emulator.Tests.Storage;

public sealed class SqliteDatabaseTests : IDisposable
{
    private static readonly SqliteArea Notes = new("notes", ["CREATE TABLE notes (id TEXT PRIMARY KEY);"]);

    private static readonly SqliteArea NotesV2 = Notes with
    {
        Migrations = [.. Notes.Migrations, "ALTER TABLE notes ADD COLUMN body TEXT NOT NULL DEFAULT '';"],
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("depot-sqlite-tests").FullName;

    private string DatabasePath => Path.Combine(_directory, "state.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Opening_applies_each_areas_migrations_once_in_wal_mode()
    {
        using (var db = SqliteDatabase.Open(DatabasePath, [Notes]))
        {
            Assert.Equal(1, db.Versions()["notes"]);
            db.Execute("INSERT INTO notes (id) VALUES ('a')");
            Assert.Equal("wal", db.QueryOne("PRAGMA journal_mode", r => r.GetString(0)));
        }

        using (var db = SqliteDatabase.Open(DatabasePath, [NotesV2]))
        {
            Assert.Equal(2, db.Versions()["notes"]);
            Assert.Equal(["a:"], db.Query("SELECT id || ':' || body FROM notes", r => r.GetString(0)));
        }
    }

    [Fact]
    public void A_database_with_newer_migrations_is_refused_and_left_as_it_was()
    {
        SqliteDatabase.Open(DatabasePath, [NotesV2]).Dispose();
        var before = File.ReadAllBytes(DatabasePath);
        var refused = Assert.Throws<DepotException>(() => SqliteDatabase.Open(DatabasePath, [Notes]));
        Assert.Contains("written by a newer emulator: its notes tables are at version 2, and this emulator knows up to version 1", refused.Message);
        Assert.Equal(before, File.ReadAllBytes(DatabasePath));
    }

    [Fact]
    public void A_database_with_an_area_this_emulator_does_not_know_is_refused()
    {
        SqliteDatabase.Open(DatabasePath, [Notes, .. SqliteStateStores.Areas]).Dispose();
        var refused = Assert.Throws<DepotException>(() => SqliteDatabase.Open(DatabasePath, SqliteStateStores.Areas));
        Assert.Contains("its notes tables are at version 1, and this emulator knows no such tables", refused.Message);
    }

    [Fact]
    public void A_failed_transaction_leaves_no_change_behind()
    {
        using var db = SqliteDatabase.Open(DatabasePath, SqliteStateStores.Areas);
        var stores = SqliteStateStores.On(db);
        Assert.Throws<InvalidOperationException>(() => stores.Transactions.Run<bool>(() =>
        {
            stores.Organizations.Add(new Organization("org-a", "A", DateTimeOffset.UnixEpoch));
            stores.Projects.Add(new Project("p1", "web", "org-a", "us-east-1", DateTimeOffset.UnixEpoch, CachePolicy.Default, "HARDWARE_UNSPECIFIED"));
            throw new InvalidOperationException("half-way");
        }));
        Assert.Empty(stores.Organizations.All());
        Assert.Empty(stores.Projects.All());
    }
}
