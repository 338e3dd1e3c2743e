using Depot.Emulator.Auth;
using Depot.Emulator.BuildKit;
using Depot.Emulator.Builds;
using Depot.Emulator.Cache;
using Depot.Emulator.Connect;
using Depot.Emulator.Connect.Hosting;
using Depot.Emulator.ControlPlane;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Login;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Seeding;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;
using Depot.Emulator.Domain.Time;
using Depot.Emulator.Domain.Oidc;
using Depot.Emulator.Journal;
using Depot.Emulator.Oidc;
using Depot.Emulator.OciRegistry;
using Depot.Emulator.Services;
using Depot.Emulator.Services.Ci;
using Depot.Emulator.Storage;

namespace Depot.Emulator;

/// <summary>Builds the emulator: services, then the request pipeline, then the start-up checks.</summary>
public static class EmulatorApp
{
    /// <param name="configureServer">Replaces the shared-port Kestrel server (tests pass the in-memory test server).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configureServer = null)
    {
        var options = EmulatorOptions.Parse(args, Environment.GetEnvironmentVariable);
        if (options is { ResetData: true, DataDirectory: { } data })
        {
            StateServices.ResetDataDirectory(data);
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        if (configureServer is null)
        {
            builder.WebHost.UseSharedPort(options.Host, options.Port);
            builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        }
        else
        {
            configureServer(builder);
        }

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddState(options);
        services.AddSingleton(new OidcSigningKeys(options.OidcKeyFile));
        services.AddSingleton(sp => options.OidcIssuersFile is { } issuers ? OidcIssuers.Load(issuers, sp.GetRequiredService<TimeProvider>()) : OidcIssuers.None);
        services.AddSingleton<OidcVerifier>();
        services.AddSingleton<OidcMinter>();
        services.AddSingleton<OidcExchange>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton(PermissionMatrix.Load());
        services.AddSingleton<LoginRequests>();
        services.AddSingleton<IResettable>(sp => sp.GetRequiredService<LoginRequests>());
        services.AddSingleton<IResettable>(sp => sp.GetRequiredService<OidcExchange>());
        services.AddSingleton<IResettable>(sp => new ResetAction(sp.ClearBuildKitCache));
        services.AddSingleton<EmulatorReset>();
        services.AddSingleton<RequestJournal>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<BuilderEndpoints>();
        services.AddSingleton<IConnectInterceptor, MatrixAuthorizationInterceptor>();
        services.AddSingleton<DepotBuildKitHost>();
        services.AddSingleton<IBuildKitHost>(sp => sp.GetRequiredService<DepotBuildKitHost>());
        services.AddBuildKit();
        services.AddConnect(o =>
        {
            o.ExceptionMapper = DepotConnectErrors.Map;
            o.DetailedErrors = options.DetailedErrors;
        });
        services.AddRegistry(options);
        services.AddCi(options.Ci);
        services.AddCache();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));

        var app = builder.Build();
        app.UseMiddleware<JournalMiddleware>();
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/_emulator"), control => control.UseMiddleware<ControlPlaneGuard>());
        app.UseConnectPathPrefix();
        app.UseRouting();

        app.MapConnectService<LoginServiceHandler>();
        app.MapConnectService<CliProjectsServiceHandler>();
        app.MapConnectService<CliBuildServiceHandler>();
        app.MapConnectService<PushServiceHandler>();
        app.MapConnectService<ApiBuildServiceHandler>();
        app.MapConnectService<BuildKitServiceHandler>();
        app.MapConnectService<CoreBuildServiceHandler>();
        app.MapConnectService<OrganizationServiceHandler>();
        app.MapConnectService<ProjectServiceHandler>();
        app.MapCi();
        app.MapBuildKit();
        app.MapControlPlane();
        app.MapOidc();
        app.MapRegistry();
        app.MapCache();
        app.MapConnectService<UsageServiceHandler>();

        MatrixCoverage.Verify(app.Services.GetRequiredService<PermissionMatrix>(), app.Services.GetRequiredService<ConnectRegistry>());
        app.SeedCi(app.Services.GetRequiredService<DepotState>().Seed.Ci);
        app.Services.GetRequiredService<OidcSigningKeys>().Open();
        return app;
    }
}

/// <summary>Start-up check: every served procedure has a matrix row, and every row is served.</summary>
public static class MatrixCoverage
{
    public static void Verify(PermissionMatrix matrix, ConnectRegistry registry)
    {
        var served = registry.Methods.Select(m => m.Procedure).ToHashSet(StringComparer.Ordinal);
        var rows = matrix.Operations.Select(o => o.Name).Where(n => n.Contains('/')).ToHashSet(StringComparer.Ordinal);
        var unlisted = served.Except(rows).Order().ToList();
        var unserved = rows.Except(served).Order().ToList();
        if (unlisted.Count > 0 || unserved.Count > 0)
        {
            throw new InvalidOperationException(
                "contracts/matrix/operations.yaml and the served procedures disagree." +
                (unlisted.Count > 0 ? " Served without a row: " + string.Join(", ", unlisted) + "." : "") +
                (unserved.Count > 0 ? " Rows nothing serves: " + string.Join(", ", unserved) + "." : ""));
        }
    }
}
