using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Sqlite;

/// <summary>Every store of Depot's records on one database, and the areas whose tables it holds.</summary>
public static class SqliteStateStores
{
    /// <summary>Each store's tables. Services with stores of their own add their areas beside these.</summary>
    public static readonly IReadOnlyList<SqliteArea> Areas =
    [
        SqliteSettingsStore.Area,
        SqliteOrganizationStore.Area,
        SqliteProjectStore.Area,
        SqliteTokenStore.Area,
        SqliteTrustPolicyStore.Area,
        SqliteBuildStore.Area,
    ];

    public static StateStores On(SqliteDatabase db) => new(
        new SqliteOrganizationStore(db), new SqliteProjectStore(db), new SqliteTokenStore(db), new SqliteTrustPolicyStore(db),
        new SqliteBuildStore(db), new SqliteSettingsStore(db), db);
}
