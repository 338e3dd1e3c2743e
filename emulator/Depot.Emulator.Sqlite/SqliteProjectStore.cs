using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;
using Microsoft.Data.Sqlite;

namespace Depot.Emulator.Sqlite;

public sealed class SqliteProjectStore(SqliteDatabase db) : IProjectStore
{
    public static readonly SqliteArea Area = new("projects",
    [
        """
        CREATE TABLE projects (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, organization_id TEXT NOT NULL, region_id TEXT NOT NULL,
            created_at INTEGER NOT NULL, cache_keep_gb INTEGER NOT NULL, cache_keep_days INTEGER NOT NULL,
            hardware TEXT NOT NULL, cache_resets INTEGER NOT NULL);
        """,
    ]);

    private const string Select =
        "SELECT id, name, organization_id, region_id, created_at, cache_keep_gb, cache_keep_days, hardware, cache_resets FROM projects";

    public Project? Find(string id) => db.QueryOne(Select + " WHERE id = $id", Read, ("$id", id));

    public IReadOnlyList<Project> All() => db.Query(Select + " ORDER BY created_at, id", Read);

    public bool Add(Project project) =>
        db.Execute(
            "INSERT INTO projects (id, name, organization_id, region_id, created_at, cache_keep_gb, cache_keep_days, hardware, cache_resets) " +
            "VALUES ($id, $name, $org, $region, $at, $gb, $days, $hardware, $resets) ON CONFLICT DO NOTHING",
            Parameters(project)) == 1;

    public bool Update(Project project) =>
        db.Execute(
            "UPDATE projects SET name = $name, organization_id = $org, region_id = $region, created_at = $at, cache_keep_gb = $gb, " +
            "cache_keep_days = $days, hardware = $hardware, cache_resets = $resets WHERE id = $id",
            Parameters(project)) == 1;

    public bool Delete(string id) => db.Execute("DELETE FROM projects WHERE id = $id", ("$id", id)) == 1;

    public void Clear() => db.Execute("DELETE FROM projects");

    private static (string, object?)[] Parameters(Project p) =>
    [
        ("$id", p.Id), ("$name", p.Name), ("$org", p.OrganizationId), ("$region", p.RegionId), ("$at", Columns.Ticks(p.CreatedAt)),
        ("$gb", p.CachePolicy.KeepGb), ("$days", p.CachePolicy.KeepDays), ("$hardware", p.Hardware), ("$resets", p.CacheResets),
    ];

    private static Project Read(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.Time(4), new CachePolicy(r.GetInt32(5), r.GetInt32(6)),
            r.GetString(7), r.GetInt32(8));
}
