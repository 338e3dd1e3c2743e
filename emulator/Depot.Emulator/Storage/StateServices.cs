using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Seeding;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;
using Depot.Emulator.Domain.Time;
using Depot.Emulator.Sqlite;

namespace Depot.Emulator.Storage;

/// <summary>
/// Where Depot's records live: in memory by default, in <c>DIR/state.db</c> with <c>--data-dir DIR</c>. The clock,
/// the id generator and the state are built over the same stores.
/// </summary>
public static class StateServices
{
    public const string DatabaseFile = "state.db";

    public static IServiceCollection AddState(this IServiceCollection services, EmulatorOptions options)
    {
        services.AddSingleton(new IdGenerator(options.RandomSeed));
        if (options.DataDirectory is { } dir)
        {
            foreach (var area in SqliteStateStores.Areas)
            {
                services.AddSqliteArea(area);
            }

            services.AddSingleton(sp => SqliteDatabase.Open(Path.Combine(Directory.CreateDirectory(dir).FullName, DatabaseFile),
                sp.GetServices<SqliteArea>()));
            services.AddSingleton(sp => SqliteStateStores.On(sp.GetRequiredService<SqliteDatabase>()));
        }
        else
        {
            services.AddSingleton(_ => StateStores.InMemory());
        }

        services.AddSingleton(sp => new EmulatorClock(TimeProvider.System, sp.GetRequiredService<StateStores>().Settings));
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<EmulatorClock>());
        services.AddSingleton(sp =>
        {
            var stores = sp.GetRequiredService<StateStores>();
            var text = SeedText(options);
            if (options.DataDirectory is { } d)
            {
                SeedRecord.CheckOrigin(stores.Settings, text, options.SeedFile is not null || options.SeedText is not null, d);
            }

            return new DepotState(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IdGenerator>(), SeedParser.Parse(text), stores);
        });
        return services;
    }

    /// <summary>Adds an area's tables to <c>state.db</c>; its migrations run when the database opens.</summary>
    public static IServiceCollection AddSqliteArea(this IServiceCollection services, SqliteArea area) => services.AddSingleton(area);

    /// <summary><c>--reset-data</c>: the data dir's state and blobs go before anything opens them.</summary>
    public static void ResetDataDirectory(string dir)
    {
        foreach (var file in new[] { DatabaseFile, DatabaseFile + "-wal", DatabaseFile + "-shm", "index.log" })
        {
            File.Delete(Path.Combine(dir, file));
        }

        foreach (var folder in new[] { "blobs", "uploads" })
        {
            if (Directory.Exists(Path.Combine(dir, folder)))
            {
                Directory.Delete(Path.Combine(dir, folder), recursive: true);
            }
        }
    }

    private static string SeedText(EmulatorOptions options)
    {
        if (options.SeedFile is { } path)
        {
            return File.ReadAllText(path);
        }

        if (options.SeedText is { } text)
        {
            return text;
        }

        using var stream = typeof(EmulatorApp).Assembly.GetManifestResourceStream("defaults/seed.yaml")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
