using Depot.Emulator.ControlPlane;
using Depot.Emulator.Domain.Storage;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Authorization;
using Depot.Emulator.Domain.Cache;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Cache;

/// <summary>
/// Depot Cache on the emulator's one port: <c>depot.cache.v1.CacheService</c> and every build tool's HTTP protocol.
/// Each HTTP request goes: route → operation → authenticate → authorize (the matrix, then the organization) → handler,
/// and any refusal through the one error writer in the protocol's own style.
/// </summary>
public static class CacheEndpoints
{
    public static IServiceCollection AddCache(this IServiceCollection services)
    {
        services.AddSingleton(new CacheOptions());
        services.AddSingleton<ICacheIndex, MemoryCacheIndex>();
        services.AddSingleton(_ => new CacheBlobs(Path.Combine(Path.GetTempPath(), "depot-emulator-cache", Guid.NewGuid().ToString("N"))));
        services.AddSingleton(sp => new CacheStore(sp.GetRequiredService<CacheOptions>(), sp.GetRequiredService<ICacheIndex>(),
            sp.GetRequiredService<CacheBlobs>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IdGenerator>()));
        // A reset or a new seed empties the cache too.
        services.AddSingleton<IResettable>(sp => new ResetAction(sp.GetRequiredService<CacheStore>().Clear));
        services.AddSingleton<CacheTickets>();
        return services;
    }

    public static void MapCache(this IEndpointRouteBuilder endpoints)
    {
        CacheRoutes.Verify(endpoints.ServiceProvider.GetRequiredService<PermissionMatrix>());
        _ = endpoints.ServiceProvider.GetRequiredService<CacheStore>();
        foreach (var template in CacheRoutes.All.SelectMany(r => r.Templates).Distinct())
        {
            var endpoint = endpoints.Map(template, DispatchAsync).WithDisplayName("Cache");
            if (template == CacheRoutes.Root)
            {
                endpoint.WithOrder(int.MaxValue);
            }
        }

        endpoints.MapConnectService<CacheServiceHandler>();
        CacheControlPlane.Map(endpoints);
    }

    private static async Task DispatchAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var path = http.Request.Path.Value ?? "/";
        var style = CacheErrorStyle.Text;
        try
        {
            if (CacheRoutes.Find(path) is not { } found)
            {
                // The root catch-all saw a path no cache protocol uses: the plain 404 of any unknown path.
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            style = found.Route.Errors;
            if (!found.Route.Methods.TryGetValue(http.Request.Method, out var verb))
            {
                http.Response.Headers.Allow = string.Join(", ", found.Route.Methods.Keys);
                await CacheErrors.WriteAsync(http, style, StatusCodes.Status405MethodNotAllowed, "method_not_allowed",
                    $"{http.Request.Method} is not served at {path}");
                return;
            }

            var organization = await AuthorizeAsync(http, services, verb.Operation);
            await verb.Handler(new CacheRequest(http, found.Route, found.Match, organization?.Id,
                services.GetRequiredService<CacheStore>(), services.GetRequiredService<CacheTickets>()));
        }
        catch (DepotException e)
        {
            await CacheErrors.WriteAsync(http, style, e);
        }
        catch (BadHttpRequestException e)
        {
            await CacheErrors.WriteAsync(http, style, e.StatusCode, "bad_request", e.Message);
        }
        catch (Exception e) when (http.RequestAborted.IsCancellationRequested && e is IOException or OperationCanceledException)
        {
            // The client went away mid-request; what it was sending was never stored.
        }
    }

    /// <summary>The one authorization step: the matrix decides the token, then the token must reach the organization named.</summary>
    private static async ValueTask<Organization?> AuthorizeAsync(HttpContext http, IServiceProvider services, string operationName)
    {
        var matrix = services.GetRequiredService<PermissionMatrix>();
        var operation = matrix.Operation(operationName);
        var credentials = CacheCredentials.From(http.Request);
        var access = await RequestAccess.BeginAsync(services.GetRequiredService<DepotState>(), services.GetRequiredService<Authenticator>(),
            matrix, operation, services.GetRequiredService<EmulatorOptions>().Enforcement, credentials.Token, http.RequestAborted);
        http.Features.Set(new DepotAccessFeature(access));
        if (access.Denial is { } refusal)
        {
            throw refusal;
        }

        if (!operation.Service.RequiresToken)
        {
            return services.GetRequiredService<CacheTickets>().Verify(http.Request)
                ? null
                : throw DepotErrors.Denied("the URL's signature is missing, wrong or expired; ask CacheService for a new one");
        }

        return access.RequireActingOrganization(credentials.Organization, CacheCredentials.HowToName);
    }
}
