namespace Depot.Emulator.Sqlite;

/// <summary>
/// One area's tables in the shared database: its migrations in order, migration <c>n</c> (from 1) taking the area
/// from version <c>n - 1</c> to <c>n</c>. A new area adds itself with its own list; an area changes its tables only by
/// appending to its list, never by editing a migration a released data dir has already run.
/// </summary>
public sealed record SqliteArea(string Name, IReadOnlyList<string> Migrations)
{
    public int Version => Migrations.Count;
}
