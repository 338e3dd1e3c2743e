using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;
using Microsoft.Data.Sqlite;

namespace Depot.Emulator.Sqlite;

/// <summary>Tokens by the hash of their secret (unique index); the secret itself is never written.</summary>
public sealed class SqliteTokenStore(SqliteDatabase db) : ITokenStore
{
    public static readonly SqliteArea Area = new("tokens",
    [
        """
        CREATE TABLE tokens (
            id TEXT PRIMARY KEY, secret_hash BLOB NOT NULL UNIQUE, type TEXT NOT NULL, description TEXT NOT NULL,
            created_at INTEGER NOT NULL, expires_at INTEGER, user_id TEXT, organization_id TEXT, project_id TEXT, build_id TEXT);
        CREATE INDEX tokens_by_project ON tokens (project_id, type);
        CREATE INDEX tokens_by_expiry ON tokens (type, expires_at);
        """,
    ]);

    private const string Select =
        "SELECT id, type, secret_hash, description, created_at, expires_at, user_id, organization_id, project_id, build_id FROM tokens";

    public TokenRecord? FindByHash(byte[] secretHash) => db.QueryOne(Select + " WHERE secret_hash = $hash", Read, ("$hash", secretHash));

    public TokenRecord? Find(string id) => db.QueryOne(Select + " WHERE id = $id", Read, ("$id", id));

    public IReadOnlyList<TokenRecord> ForProject(string projectId, TokenType type) =>
        db.Query(Select + " WHERE project_id = $project AND type = $type ORDER BY created_at, id", Read,
            ("$project", projectId), ("$type", type.Name()));

    public IReadOnlyList<TokenRecord> All() => db.Query(Select, Read);

    public bool Add(TokenRecord t) =>
        db.Execute(
            "INSERT INTO tokens (id, type, secret_hash, description, created_at, expires_at, user_id, organization_id, project_id, build_id) " +
            "VALUES ($id, $type, $hash, $description, $created, $expires, $user, $org, $project, $build) ON CONFLICT DO NOTHING",
            ("$id", t.Id), ("$type", t.Type.Name()), ("$hash", t.SecretHash), ("$description", t.Description),
            ("$created", Columns.Ticks(t.CreatedAt)), ("$expires", Columns.Ticks(t.ExpiresAt)), ("$user", t.UserId),
            ("$org", t.OrganizationId), ("$project", t.ProjectId), ("$build", t.BuildId)) == 1;

    public bool Update(TokenRecord t) =>
        db.Execute(
            "UPDATE tokens SET type = $type, description = $description, created_at = $created, expires_at = $expires, user_id = $user, " +
            "organization_id = $org, project_id = $project, build_id = $build WHERE id = $id",
            ("$id", t.Id), ("$type", t.Type.Name()), ("$description", t.Description), ("$created", Columns.Ticks(t.CreatedAt)),
            ("$expires", Columns.Ticks(t.ExpiresAt)), ("$user", t.UserId), ("$org", t.OrganizationId), ("$project", t.ProjectId),
            ("$build", t.BuildId)) == 1;

    public bool Delete(string id) => db.Execute("DELETE FROM tokens WHERE id = $id", ("$id", id)) == 1;

    public void DeleteProject(string projectId) => db.Execute("DELETE FROM tokens WHERE project_id = $project", ("$project", projectId));

    public int EvictPullTokens(DateTimeOffset cutoff) =>
        db.Execute("DELETE FROM tokens WHERE type = 'pull' AND expires_at <= $cutoff", ("$cutoff", Columns.Ticks(cutoff)));

    public void Clear() => db.Execute("DELETE FROM tokens");

    private static TokenRecord Read(SqliteDataReader r) =>
        new(r.GetString(0), TokenTypes.Parse(r.GetString(1)), (byte[])r[2], r.GetString(3), r.Time(4), r.NullableTime(5),
            r.NullableString(6), r.NullableString(7), r.NullableString(8), r.NullableString(9));
}
