using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;
using Microsoft.Data.Sqlite;

namespace Depot.Emulator.Sqlite;

public sealed class SqliteOrganizationStore(SqliteDatabase db) : IOrganizationStore
{
    public static readonly SqliteArea Area = new("organizations",
    [
        """
        CREATE TABLE organizations (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
        CREATE TABLE memberships (
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            organization_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (user_id, organization_id));
        """,
    ]);

    public Organization? Find(string id) =>
        db.QueryOne("SELECT id, name, created_at FROM organizations WHERE id = $id", ReadOrganization, ("$id", id));

    public IReadOnlyList<Organization> All() =>
        db.Query("SELECT id, name, created_at FROM organizations ORDER BY created_at, id", ReadOrganization);

    public bool Add(Organization organization) =>
        db.Execute("INSERT INTO organizations (id, name, created_at) VALUES ($id, $name, $at) ON CONFLICT DO NOTHING",
            ("$id", organization.Id), ("$name", organization.Name), ("$at", Columns.Ticks(organization.CreatedAt))) == 1;

    public User? FindUser(string id) => Users("WHERE id = $id", ("$id", id)).FirstOrDefault();

    public IReadOnlyList<User> Users() => Users("");

    public bool AddUser(User user) =>
        db.Run(() =>
        {
            if (db.Execute("INSERT INTO users (id, name, email) VALUES ($id, $name, $email) ON CONFLICT DO NOTHING",
                    ("$id", user.Id), ("$name", user.Name), ("$email", user.Email)) == 0)
            {
                return false;
            }

            foreach (var (organization, position) in user.OrganizationIds.Select((o, i) => (o, i)))
            {
                db.Execute("INSERT INTO memberships (user_id, organization_id, position) VALUES ($user, $org, $position) ON CONFLICT DO NOTHING",
                    ("$user", user.Id), ("$org", organization), ("$position", position));
            }

            return true;
        });

    public void Clear() => db.Run(() => db.Execute("DELETE FROM memberships; DELETE FROM users; DELETE FROM organizations"));

    private List<User> Users(string where, params (string, object?)[] parameters)
    {
        var memberships = db.Query("SELECT user_id, organization_id FROM memberships ORDER BY user_id, position",
                r => (User: r.GetString(0), Organization: r.GetString(1)))
            .GroupBy(m => m.User, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(m => m.Organization).ToList(), StringComparer.Ordinal);
        return db.Query($"SELECT id, name, email FROM users {where} ORDER BY id",
            r => new User(r.GetString(0), r.GetString(1), r.GetString(2), memberships.GetValueOrDefault(r.GetString(0)) ?? []), parameters);
    }

    private static Organization ReadOrganization(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.Time(2));
}
