using System.Text.Json;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;
using Microsoft.Data.Sqlite;

namespace Depot.Emulator.Sqlite;

/// <summary>Trust policies with their rule as JSON under the provider's name; <c>seq</c> keeps the order they were added in.</summary>
public sealed class SqliteTrustPolicyStore(SqliteDatabase db) : ITrustPolicyStore
{
    public static readonly SqliteArea Area = new("trust-policies",
    [
        """
        CREATE TABLE trust_policies (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, project_id TEXT NOT NULL,
            provider TEXT NOT NULL, rule TEXT NOT NULL);
        CREATE INDEX trust_policies_by_project ON trust_policies (project_id);
        """,
    ]);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, Type> Rules = new(StringComparer.Ordinal)
    {
        ["github"] = typeof(GitHubTrust),
        ["circleci"] = typeof(CircleCiTrust),
        ["buildkite"] = typeof(BuildkiteTrust),
        ["gitlab"] = typeof(GitLabTrust),
        ["rwx"] = typeof(RwxTrust),
    };

    public IReadOnlyList<TrustPolicy> All() => db.Query("SELECT id, project_id, provider, rule FROM trust_policies ORDER BY seq", Read);

    public IReadOnlyList<TrustPolicy> ForProject(string projectId) =>
        db.Query("SELECT id, project_id, provider, rule FROM trust_policies WHERE project_id = $project ORDER BY seq", Read,
            ("$project", projectId));

    public bool Add(TrustPolicy policy) =>
        db.Execute("INSERT INTO trust_policies (id, project_id, provider, rule) VALUES ($id, $project, $provider, $rule) ON CONFLICT DO NOTHING",
            ("$id", policy.Id), ("$project", policy.ProjectId), ("$provider", policy.Rule.Provider),
            ("$rule", JsonSerializer.Serialize(policy.Rule, policy.Rule.GetType(), Json))) == 1;

    public bool Remove(string projectId, string id) =>
        db.Execute("DELETE FROM trust_policies WHERE project_id = $project AND id = $id", ("$project", projectId), ("$id", id)) > 0;

    public void DeleteProject(string projectId) => db.Execute("DELETE FROM trust_policies WHERE project_id = $project", ("$project", projectId));

    public void Clear() => db.Execute("DELETE FROM trust_policies");

    private static TrustPolicy Read(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), (TrustPolicyRule)JsonSerializer.Deserialize(r.GetString(3), Rules[r.GetString(2)], Json)!);
}
