using System.Text.Json;
using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Storage;
using Microsoft.Data.Sqlite;

namespace Depot.Emulator.Sqlite;

/// <summary>Builds as JSON beside the columns they are looked up by; Dockerfiles, pushes and asked-for builders in their own tables.</summary>
public sealed class SqliteBuildStore(SqliteDatabase db) : IBuildStore
{
    public static readonly SqliteArea Area = new("builds",
    [
        """
        CREATE TABLE builds (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, share_id TEXT, record TEXT NOT NULL);
        CREATE INDEX builds_by_project ON builds (project_id);
        CREATE INDEX builds_by_share ON builds (share_id);
        CREATE TABLE build_dockerfiles (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, build_id TEXT NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
            target TEXT NOT NULL, filename TEXT NOT NULL, contents TEXT NOT NULL);
        CREATE INDEX build_dockerfiles_by_build ON build_dockerfiles (build_id);
        CREATE TABLE build_pushes (
            id TEXT PRIMARY KEY, build_id TEXT NOT NULL REFERENCES builds (id) ON DELETE CASCADE, tag TEXT NOT NULL,
            started_at INTEGER NOT NULL, finished_at INTEGER, error TEXT);
        CREATE INDEX build_pushes_by_build ON build_pushes (build_id);
        CREATE TABLE build_builders (
            build_id TEXT NOT NULL REFERENCES builds (id) ON DELETE CASCADE, platform TEXT NOT NULL,
            PRIMARY KEY (build_id, platform));
        """,
    ]);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Build? Find(string id) => db.QueryOne("SELECT record FROM builds WHERE id = $id", Read, ("$id", id));

    public IReadOnlyList<Build> All() => db.Query("SELECT record FROM builds", Read);

    public Build? FindShared(string shareId) => db.QueryOne("SELECT record FROM builds WHERE share_id = $share", Read, ("$share", shareId));

    public bool Add(Build build) =>
        db.Execute("INSERT INTO builds (id, project_id, share_id, record) VALUES ($id, $project, $share, $record) ON CONFLICT DO NOTHING",
            Parameters(build)) == 1;

    public bool Update(Build build) =>
        db.Execute("UPDATE builds SET project_id = $project, share_id = $share, record = $record WHERE id = $id", Parameters(build)) == 1;

    public void DeleteProject(string projectId) => db.Execute("DELETE FROM builds WHERE project_id = $project", ("$project", projectId));

    public IReadOnlyList<BuildDockerfile> Dockerfiles(string buildId) =>
        db.Query("SELECT target, filename, contents FROM build_dockerfiles WHERE build_id = $build ORDER BY seq",
            r => new BuildDockerfile(r.GetString(0), r.GetString(1), r.GetString(2)), ("$build", buildId));

    public void AddDockerfile(string buildId, BuildDockerfile dockerfile) =>
        db.Execute("INSERT INTO build_dockerfiles (build_id, target, filename, contents) VALUES ($build, $target, $filename, $contents)",
            ("$build", buildId), ("$target", dockerfile.Target), ("$filename", dockerfile.Filename), ("$contents", dockerfile.Contents));

    public void ReplaceDockerfiles(string buildId, IReadOnlyList<BuildDockerfile> dockerfiles) =>
        db.Run(() =>
        {
            db.Execute("DELETE FROM build_dockerfiles WHERE build_id = $build", ("$build", buildId));
            foreach (var dockerfile in dockerfiles)
            {
                AddDockerfile(buildId, dockerfile);
            }

            return true;
        });

    public BuildPush? FindPush(string id) =>
        db.QueryOne("SELECT id, build_id, tag, started_at, finished_at, error FROM build_pushes WHERE id = $id", ReadPush, ("$id", id));

    public void PutPush(BuildPush push) =>
        db.Execute(
            "INSERT INTO build_pushes (id, build_id, tag, started_at, finished_at, error) VALUES ($id, $build, $tag, $started, $finished, $error) " +
            "ON CONFLICT (id) DO UPDATE SET build_id = excluded.build_id, tag = excluded.tag, started_at = excluded.started_at, " +
            "finished_at = excluded.finished_at, error = excluded.error",
            ("$id", push.Id), ("$build", push.BuildId), ("$tag", push.Tag), ("$started", Columns.Ticks(push.StartedAt)),
            ("$finished", Columns.Ticks(push.FinishedAt)), ("$error", push.Error));

    public IReadOnlyList<BuildPush> Pushes(string buildId) =>
        db.Query("SELECT id, build_id, tag, started_at, finished_at, error FROM build_pushes WHERE build_id = $build ORDER BY started_at, id",
            ReadPush, ("$build", buildId));

    public bool MarkBuilderAsked(string buildId, string platform) =>
        db.Execute("INSERT INTO build_builders (build_id, platform) VALUES ($build, $platform) ON CONFLICT DO NOTHING",
            ("$build", buildId), ("$platform", platform)) == 1;

    public bool ForgetBuilder(string buildId, string platform) =>
        db.Execute("DELETE FROM build_builders WHERE build_id = $build AND platform = $platform", ("$build", buildId), ("$platform", platform)) == 1;

    public void Clear() => db.Execute("DELETE FROM build_builders; DELETE FROM build_pushes; DELETE FROM build_dockerfiles; DELETE FROM builds");

    private static (string, object?)[] Parameters(Build build) =>
        [("$id", build.Id), ("$project", build.ProjectId), ("$share", build.ShareId), ("$record", JsonSerializer.Serialize(build, Json))];

    private static Build Read(SqliteDataReader r) => JsonSerializer.Deserialize<Build>(r.GetString(0), Json)!;

    private static BuildPush ReadPush(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.Time(3), r.NullableTime(4), r.NullableString(5));
}
