namespace Depot.Emulator.Tests.Storage;

public abstract class SettingsStoreConformance<TStores> : StoreConformance<TStores>
    where TStores : StoreImplementation, new()
{
    [Fact]
    public void A_setting_is_kept_until_replaced()
    {
        Assert.Null(Stores.Settings.Get("seed"));
        Stores.Settings.Set("seed", "{}");
        Stores.Settings.Set("clock-offset", "10");
        Stores.Settings.Set("clock-offset", "20");
        Reopen();
        Assert.Equal(("{}", "20"), (Stores.Settings.Get("seed"), Stores.Settings.Get("clock-offset")));
    }

    [Fact]
    public void Clearing_records_keeps_settings()
    {
        Stores.Settings.Set("seed", "{}");
        Stores.ClearRecords();
        Assert.Equal("{}", Stores.Settings.Get("seed"));
    }
}

public sealed class MemorySettingsStoreTests : SettingsStoreConformance<MemoryStores>;

public sealed class SqliteSettingsStoreTests : SettingsStoreConformance<SqliteStores>;
