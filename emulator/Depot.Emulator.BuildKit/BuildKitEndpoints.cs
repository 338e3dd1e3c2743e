using Depot.Emulator.BuildKit.Images;
using Depot.Emulator.BuildKit.Services;
using Depot.Emulator.BuildKit.Session;
using Depot.Emulator.BuildKit.Solving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Depot.Emulator.BuildKit;

public static class BuildKitServiceCollectionExtensions
{
    /// <summary>The BuildKit stand-in's services. Register an <see cref="IBuildKitHost"/> to tie connections to builds.</summary>
    public static IServiceCollection AddBuildKit(this IServiceCollection services, Action<BuildKitOptions>? configure = null)
    {
        var options = new BuildKitOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.AddGrpc(o =>
        {
            // BuildKit clients send and accept messages of up to 16 MiB.
            o.MaxReceiveMessageSize = 32 * 1024 * 1024;
            o.MaxSendMessageSize = 32 * 1024 * 1024;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBuildKitHost, StandaloneBuildKitHost>();
        services.AddSingleton<SolveJobs>();
        services.AddSingleton<ClientSessions>();
        services.AddSingleton<BuildCache>();
        services.AddSingleton<ConnectionClaims>();
        services.AddSingleton<DockerfileFrontend>();
        services.AddSingleton<ImageExporter>();
        services.AddSingleton<ClientExporter>();
        services.AddSingleton(_ => new RegistryPusher(new HttpClient(new SocketsHttpHandler { UseProxy = false })));
        return services;
    }
}

public static class BuildKitEndpointRouteBuilderExtensions
{
    /// <summary>Serves BuildKit's control and gateway APIs (gRPC over HTTP/2) beside whatever else the host maps.</summary>
    public static void MapBuildKit(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ControlService>();
        endpoints.MapGrpcService<GatewayService>();
    }

    /// <summary>Forgets which steps were built, so that every step runs again.</summary>
    public static void ClearBuildKitCache(this IServiceProvider services) => services.GetRequiredService<BuildCache>().Clear();
}
