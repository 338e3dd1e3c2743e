using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Registry;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;
using Depot.Emulator.Sqlite;
using Depot.Emulator.Storage;

namespace Depot.Emulator.OciRegistry;

/// <summary>
/// The OCI distribution API under <c>/v2/</c> on the emulator's one port, its token endpoint, and
/// <c>depot.build.v1.RegistryService</c>. Each request goes: route → repository name → access (matrix and scope) →
/// handler → and any failure through the one error writer.
/// </summary>
public static class RegistryEndpoints
{
    public static IServiceCollection AddRegistry(this IServiceCollection services, EmulatorOptions options)
    {
        services.AddSingleton(new RegistryStorageOptions
        {
            DataDirectory = options.DataDirectory,
            Retention = options.RegistryRetention,
        });
        if (options.DataDirectory is { } dir)
        {
            services.AddSqliteArea(SqliteRegistryIndex.Area);
            services.AddSingleton<IRegistryIndex>(sp =>
            {
                var index = new SqliteRegistryIndex(sp.GetRequiredService<SqliteDatabase>());
                index.ImportLog(Path.Combine(dir, "index.log"));
                return index;
            });
        }

        services.AddSingleton(sp => new RegistryStorage(sp.GetRequiredService<RegistryStorageOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IdGenerator>(), sp.GetService<IRegistryIndex>()));
        services.AddSingleton<RegistryBearerTokens>();
        // A reset or a new seed empties the registry too.
        services.AddSingleton<IResettable>(sp => sp.GetRequiredService<RegistryStorage>());
        services.AddSingleton<IResettable>(sp => sp.GetRequiredService<RegistryBearerTokens>());
        services.AddSingleton<RegistryAuth>();
        return services;
    }

    public static void MapRegistry(this IEndpointRouteBuilder endpoints)
    {
        RegistryCoverage.Verify(endpoints.ServiceProvider.GetRequiredService<PermissionMatrix>());
        _ = endpoints.ServiceProvider.GetRequiredService<RegistryStorage>();
        endpoints.Map("/v2", DispatchAsync).WithDisplayName("Registry");
        endpoints.Map("/v2/{**path}", DispatchAsync).WithDisplayName("Registry");
        endpoints.MapConnectService<RegistryServiceHandler>();
    }

    /// <summary>
    /// The registry's pipeline, in order: resolve the route and its operation → authenticate → authorize every access
    /// record at once → only then the handler reads the body → and every failure through the one error writer.
    /// </summary>
    private static async Task DispatchAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var storage = services.GetRequiredService<RegistryStorage>();
        var auth = services.GetRequiredService<RegistryAuth>();
        var options = services.GetRequiredService<EmulatorOptions>();
        var logger = services.GetRequiredService<ILogger<RegistryAuth>>();
        http.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        var path = http.Request.Path.Value ?? "/v2/";
        RegistryRoute? route = null;
        AccessRecord? record = null;
        try
        {
            storage.SweepIfDue();

            // 1. Resolve: the route, its verb, the repository and the access records the request needs.
            var found = RegistryRoutes.Find(path)
                ?? throw new RegistryException(RegistryErrors.Unsupported, $"no registry endpoint at {Echo.Cap(path)}");
            route = found.Route;
            if (!route.Methods.TryGetValue(http.Request.Method, out var verb))
            {
                http.Response.Headers.Allow = string.Join(", ", route.Methods.Keys);
                throw new RegistryException(RegistryErrors.Unsupported, $"{Echo.Cap(http.Request.Method)} is not served at {Echo.Cap(path)}");
            }

            var name = route.HasRepository ? found.Match.Groups["name"].Value : null;
            var hostOrganization = HostOrganization(http, options);
            var repository = name is null ? null : RegistryRepository.FromName(name, hostOrganization);
            var records = RegistryAccess.For(route, http.Request.Method, name, http.Request.Query);
            record = records[0];

            // 2. Authenticate and authorize, every record at once.
            var decision = await auth.AuthorizeAsync(http, records,
                r => r == records[0] ? repository : r.Repository is { } other && RegistryNames.IsValidName(other) ? RegistryRepository.FromName(other, hostOrganization) : null,
                await RegistryTokenEndpoint.FormCredentialsAsync(http, route));
            if (!decision.Allowed)
            {
                var refusal = decision.InsufficientScope
                    ? new RegistryException(RegistryErrors.Unauthorized, $"the registry token does not grant {record.Operation} on this repository")
                    : RegistryErrorWriter.Map(decision.Refusal!);
                await FailAsync(http, refusal, auth, route, record, decision.InsufficientScope, logger);
                return;
            }

            // 3. The handler, which alone reads the body.
            await verb.Handler(new RegistryRequest(http, route, found.Match, name, repository, decision.Access, decision.Granted, storage, auth, options));
        }
        catch (RegistryException e)
        {
            await FailAsync(http, e, auth, route, record, false, logger);
        }
        catch (DepotException e)
        {
            await FailAsync(http, RegistryErrorWriter.Map(e), auth, route, record, false, logger);
        }
        catch (BadHttpRequestException e)
        {
            var error = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? RegistryErrors.ManifestTooLarge : RegistryErrors.BlobUploadInvalid;
            await FailAsync(http, new RegistryException(error, e.Message), auth, route, record, false, logger);
        }
        catch (Exception e) when (http.RequestAborted.IsCancellationRequested && e is IOException or OperationCanceledException)
        {
            // The client went away mid-request; an upload chunk it was sending has been rolled back.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not the client's fault, but still an answer with a body: the catalogue's internal error.
            RegistryLog.Failed(logger, e, http.Request.Method, path);
            await FailAsync(http, RegistryErrorWriter.Map(DepotErrors.InternalError.Raise("the registry")), auth, route, record, false, logger);
        }
    }

    private static Task FailAsync(HttpContext http, RegistryException error, RegistryAuth auth, RegistryRoute? route,
        AccessRecord? record, bool insufficientScope, ILogger logger)
    {
        RegistryLog.Refused(logger, http.Request.Method, http.Request.Path.Value ?? "", error.Error.Code, error.Detail);
        if (error.Error.Status == StatusCodes.Status401Unauthorized && !http.Response.HasStarted)
        {
            http.Response.Headers.WWWAuthenticate = auth.Challenge(http, route, record, insufficientScope);
        }

        return RegistryErrorWriter.WriteAsync(http, error);
    }

    /// <summary>
    /// The organization of a host-based name: <c>&lt;org-id&gt;.localhost</c>, <c>&lt;org-id&gt;.registry.depot.dev</c>, or
    /// <c>&lt;org-id&gt;.</c> in front of the <c>--public-url</c> host. Decided from the host alone, so it tells nothing about
    /// which organizations exist.
    /// </summary>
    internal static string? HostOrganization(HttpContext http, EmulatorOptions options)
    {
        var host = http.Request.Host.Host.ToLowerInvariant();
        var suffixes = new List<string> { "localhost", "registry.depot.dev" };
        if (options.PublicUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            suffixes.Add(uri.Host.ToLowerInvariant());
        }

        foreach (var suffix in suffixes)
        {
            if (host.Length > suffix.Length + 1 && host.EndsWith("." + suffix, StringComparison.Ordinal))
            {
                var label = host[..^(suffix.Length + 1)];
                return label.Contains('.') ? null : label;
            }
        }

        return null;
    }
}
