using Depot.Emulator.Connect.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Depot.Emulator.Connect;

public static class ConnectServiceCollectionExtensions
{
    public static IServiceCollection AddConnect(this IServiceCollection services, Action<ConnectOptions>? configure = null)
    {
        services.AddSingleton<ConnectRegistry>();
        // The unimplemented catch-all matches on regex; slim hosts do not register that constraint.
        services.Configure<RouteOptions>(o => o.SetParameterPolicy<RegexInlineRouteConstraint>("regex"));
        services.AddOptions<ConnectOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }
}

/// <summary>Every procedure mapped so far; the host checks it against its own tables at start-up.</summary>
public sealed class ConnectRegistry
{
    private readonly Dictionary<string, ConnectMethod> _methods = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ConnectMethod> Methods => _methods.Values;

    public bool HasService(string serviceName) => _methods.Values.Any(m => m.Descriptor.Service.FullName == serviceName);

    internal bool FallbackMapped { get; set; }

    internal void Add(ConnectMethod method)
    {
        if (!_methods.TryAdd(method.Procedure, method))
        {
            throw new InvalidOperationException($"{method.Procedure} is mapped twice.");
        }
    }
}

public static class ConnectEndpointRouteBuilderExtensions
{
    /// <summary>Maps every method <typeparamref name="TService"/> binds at <c>POST /{package}.{Service}/{Method}</c>.</summary>
    public static IEndpointConventionBuilder MapConnectService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class, IConnectService
    {
        var registry = endpoints.ServiceProvider.GetService<ConnectRegistry>()
            ?? throw new InvalidOperationException(
                "Connect services are not registered: call services.AddConnect() before MapConnectService<T>().");
        var service = ActivatorUtilities.GetServiceOrCreateInstance<TService>(endpoints.ServiceProvider);
        var binder = new ConnectServiceBinder();
        service.Bind(binder);

        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<ConnectOptions>>().Value;
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Depot.Emulator.Connect");
        var builders = new List<IEndpointConventionBuilder>();
        foreach (var method in binder.Methods)
        {
            registry.Add(method);
            builders.Add(endpoints
                .Map("/" + method.Procedure, http =>
                {
                    var interceptors = http.RequestServices.GetServices<IConnectInterceptor>().ToArray();
                    return ConnectCall.HandleAsync(http, method, options, interceptors, logger);
                })
                .WithMetadata(method)
                .WithDisplayName("Connect " + method.Procedure));
        }

        if (!registry.FallbackMapped)
        {
            registry.FallbackMapped = true;
            MapUnimplemented(endpoints, logger);
        }

        return new CompositeConventionBuilder(builders);
    }

    /// <summary>Lets clients whose base URL has a path (<c>http://host/depot</c>) reach procedures under it.</summary>
    public static IApplicationBuilder UseConnectPathPrefix(this IApplicationBuilder app)
    {
        var registry = app.ApplicationServices.GetRequiredService<ConnectRegistry>();
        return app.Use((http, next) =>
        {
            var path = http.Request.Path.Value;
            if (path is not null && ProcedurePath.TrySplitPrefix(path, out var prefix, out var procedure) &&
                (registry.HasService(procedure.Split('/')[1]) || IsConnectRequest(http.Request)))
            {
                http.Request.PathBase = http.Request.PathBase.Add(prefix);
                http.Request.Path = procedure;
            }

            return next(http);
        });
    }

    private static bool IsConnectRequest(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.ContentType is { } type &&
        (type.StartsWith("application/proto", StringComparison.OrdinalIgnoreCase) ||
         type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ||
         type.StartsWith("application/connect+", StringComparison.OrdinalIgnoreCase));

    private static void MapUnimplemented(IEndpointRouteBuilder endpoints, ILogger logger)
    {
        endpoints.Map("/{service:regex(^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$)}/{method:regex(^[A-Za-z_][A-Za-z0-9_]*$)}",
                async http =>
                {
                    ConnectLog.Unimplemented(logger, http.Request.Path);
                    var error = new ConnectException(ConnectCode.Unimplemented,
                        $"{http.Request.Path.Value!.TrimStart('/')} is not implemented by this server");
                    http.Response.StatusCode = ConnectCodes.HttpStatus(error.Code);
                    http.Response.ContentType = "application/json";
                    await http.Response.Body.WriteAsync(ErrorBody.Error(error));
                })
            .WithDisplayName("Connect unimplemented")
            .WithOrder(int.MaxValue);
    }

    private sealed class CompositeConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }
    }
}

internal static class ProcedurePath
{
    /// <summary>Splits <c>/prefix/a.b.Service/Method</c> into the prefix and <c>/a.b.Service/Method</c>.</summary>
    public static bool TrySplitPrefix(string path, out string prefix, out string procedure)
    {
        prefix = procedure = "";
        var methodSlash = path.LastIndexOf('/');
        if (methodSlash <= 0)
        {
            return false;
        }

        var serviceSlash = path.LastIndexOf('/', methodSlash - 1);
        if (serviceSlash <= 0)
        {
            return false;
        }

        var service = path[(serviceSlash + 1)..methodSlash];
        if (!service.Contains('.') || path.Length == methodSlash + 1)
        {
            return false;
        }

        prefix = path[..serviceSlash];
        procedure = path[serviceSlash..];
        return true;
    }
}
