using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Seeding;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Services.TestResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Depot.Emulator.Services.Ci;

/// <summary>Depot CI's wiring: its stores (in memory unless another implementation is registered first), engine and services.</summary>
internal static class CiServices
{
    public static IServiceCollection AddCi(this IServiceCollection services, CiOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton<ICiStore, MemoryCiStore>();
        services.TryAddSingleton<ICiSettingsStore, MemoryCiSettingsStore>();
        services.AddSingleton<CiRepositories>();
        services.AddSingleton<CiLogStreams>();
        services.AddSingleton(sp => new CiEngine(sp.GetRequiredService<ICiStore>(), sp.GetRequiredService<ICiSettingsStore>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IdGenerator>(), options));
        services.AddSingleton(sp => new CiSettings(sp.GetRequiredService<ICiSettingsStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IdGenerator>()));
        return services;
    }

    public static void MapCi(this WebApplication app)
    {
        app.MapConnectService<CiServiceHandler>();
        app.MapConnectService<MigrationServiceHandler>();
        app.MapConnectService<SecretServiceHandler>();
        app.MapConnectService<VariableServiceHandler>();
        app.MapConnectService<TestResultsServiceHandler>();
    }

    /// <summary>Applies a seed's <c>ci:</c> section.</summary>
    public static void SeedCi(this WebApplication app, SeedCi seed) =>
        CiSeeder.Apply(seed, app.Services.GetRequiredService<DepotState>(), app.Services.GetRequiredService<CiRepositories>(),
            app.Services.GetRequiredService<CiSettings>(), app.Services.GetRequiredService<CiEngine>());
}
