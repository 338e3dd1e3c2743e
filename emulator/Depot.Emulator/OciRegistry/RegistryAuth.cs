using Depot.Emulator.Auth;
using Depot.Emulator.Domain.Authorization;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Registry;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.OciRegistry;

/// <summary>
/// Answers one question for the registry: may these credentials perform this operation on this repository. The
/// matrix decides through <see cref="RequestAccess"/>; a bearer from the token endpoint must also carry the grant.
/// </summary>
internal sealed class RegistryAuth(
    DepotState state, Authenticator authenticator, PermissionMatrix matrix, EmulatorOptions options,
    RegistryBearerTokens bearers, PublicUrls urls, ILogger<RegistryAuth> logger)
{
    /// <summary>Authenticates the request and decides its own access; throws the refusal (401, 403, or 404 for an unknown name).</summary>
    /// <param name="presented">Credentials that came some other way than the Authorization header (an OAuth2 form).</param>
    public RequestAccess Authorize(HttpContext http, AccessRecord record, RegistryRepository? repository, RegistryCredentials? presented = null)
    {
        var credentials = presented ?? RegistryCredentials.From(http.Request.Headers.Authorization.ToString());
        var bearer = credentials is { IsBearer: true, Secret: { Length: > 0 } secret } ? bearers.Find(secret) : null;
        var access = RequestAccess.Begin(state, Authenticate(credentials, bearer), matrix, matrix.Operation(record.Operation), options.Enforcement);
        http.Features.Set(new DepotAccessFeature(access));
        if (access.Denial is { } refusal)
        {
            throw refusal;
        }

        Reach(access, repository);
        foreach (var denial in access.WouldDeny)
        {
            RegistryLog.WouldDeny(logger, record.Operation, repository?.Name, denial);
        }

        if (bearer is not null && repository is not null && access.Outcome == AccessOutcome.Allowed &&
            !bearer.Allows(repository.Name, record.Operation))
        {
            throw new InsufficientScopeException(record.Operation);
        }

        return access;
    }

    /// <summary>Whether the caller of <paramref name="access"/> may also perform <paramref name="operation"/> on another repository.</summary>
    public bool Permits(RequestAccess access, HttpContext http, string operation, RegistryRepository repository)
    {
        var other = RequestAccess.Begin(state, () => access.Principal ?? throw DepotErrors.Unauthenticated("anonymous"),
            matrix, matrix.Operation(operation), options.Enforcement);
        if (other.Denial is not null)
        {
            return false;
        }

        try
        {
            Reach(other, repository);
        }
        catch (DepotException)
        {
            return false;
        }

        var credentials = RegistryCredentials.From(http.Request.Headers.Authorization.ToString());
        var bearer = credentials is { IsBearer: true, Secret: { Length: > 0 } secret } ? bearers.Find(secret) : null;
        return bearer is null || bearer.Allows(repository.Name, operation);
    }

    /// <summary>The challenge a 401 carries: where to get a token, for which service, and the scope this request needs.</summary>
    public string Challenge(HttpContext http, RegistryRoute? route, AccessRecord? record, bool insufficientScope)
    {
        var realm = $"{urls.Base(http)}/v2/token";
        if (route?.Name == "token")
        {
            return $"Basic realm=\"{realm}\"";
        }

        var challenge = $"Bearer realm=\"{realm}\",service=\"{Service(http)}\"";
        if (record?.Repository is { } repository)
        {
            challenge += $",scope=\"repository:{repository}:{RegistryAccess.ChallengeActions(record.Operation)}\"";
        }

        return insufficientScope ? challenge + ",error=\"insufficient_scope\"" : challenge;
    }

    public static string Service(HttpContext http) => http.Request.Host.Value ?? "localhost";

    /// <summary>A project-form repository needs its project; an organization-form one the whole organization.</summary>
    private static void Reach(RequestAccess access, RegistryRepository? repository)
    {
        if (repository is null)
        {
            return;
        }

        if (repository.ProjectId is { } project)
        {
            access.RequireProject(project);
        }
        else
        {
            access.RequireWholeOrganization(repository.OrganizationId!);
        }
    }

    private Func<Principal> Authenticate(RegistryCredentials credentials, RegistryBearer? bearer)
    {
        if (bearer is not null)
        {
            return () => bearers.StillValid(bearer, state) && bearer.Principal is { } principal ? principal
                : throw DepotErrors.Unauthenticated("the registry token expired or its Depot token was revoked; ask the token endpoint again");
        }

        if (credentials.Secret is null)
        {
            return () => throw DepotErrors.Unauthenticated(
                $"authentication required: log in with username {RegistryCredentials.Username} and a Depot token as the password");
        }

        return () => authenticator.Authenticate(credentials.Secret);
    }
}

/// <summary>A valid registry bearer that was not granted what this request needs: the client should ask for a wider one.</summary>
internal sealed class InsufficientScopeException(string operation)
    : Exception($"the registry token does not grant {operation} on this repository")
{
    public string Operation { get; } = operation;
}
