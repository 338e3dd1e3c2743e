using Depot.Emulator.Auth;
using Depot.Emulator.Domain.Authorization;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Registry;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.OciRegistry;

/// <summary>What the registry decided for a request: its access, the records granted, and why not when it may not go on.</summary>
internal sealed record RegistryDecision(RequestAccess Access, IReadOnlySet<AccessRecord> Granted, DepotException? Refusal, bool InsufficientScope)
{
    public bool Allowed => Refusal is null && !InsufficientScope;
}

/// <summary>
/// Answers one question for the registry: may these credentials perform these operations on these repositories
/// (distribution's <c>Authorized(req, access…)</c>). The matrix decides through <see cref="RequestAccess"/>; a bearer
/// from the token endpoint must also carry the grant. Every answer is a value.
/// </summary>
internal sealed class RegistryAuth(
    DepotState state, Authenticator authenticator, PermissionMatrix matrix, EmulatorOptions options,
    RegistryBearerTokens bearers, PublicUrls urls, ILogger<RegistryAuth> logger)
{
    /// <summary>
    /// Authenticates the request and decides all its access records at once. The first record is the request's own
    /// operation and must be granted; the others (a mount's source) are granted or not, for the handler to consult.
    /// </summary>
    /// <param name="presented">Credentials that came some other way than the Authorization header (an OAuth2 form).</param>
    public async ValueTask<RegistryDecision> AuthorizeAsync(HttpContext http, IReadOnlyList<AccessRecord> records,
        Func<AccessRecord, RegistryRepository?> repositoryOf, RegistryCredentials? presented = null)
    {
        var (credentials, malformed) = presented is null ? RegistryCredentials.Parse(http.Request.Headers.Authorization.ToString()) : (presented, null);
        var bearer = credentials is { IsBearer: true, Secret: { Length: > 0 } secret } ? bearers.Find(secret) : null;
        var own = records[0];
        var access = await RequestAccess.BeginAsync(state,
            ct => malformed is not null ? ValueTask.FromResult(Authentication.Refused(malformed)) : AuthenticateAsync(credentials, bearer, ct),
            matrix, matrix.Operation(own.Operation), options.Enforcement, http.RequestAborted);
        http.Features.Set(new DepotAccessFeature(access));
        if (access.Denial is { } refusal)
        {
            return new RegistryDecision(access, new HashSet<AccessRecord>(), refusal, false);
        }

        var ownRepository = repositoryOf(own);
        var (outOfReach, missing) = Reach(access, ownRepository);
        if (!access.Allows(outOfReach))
        {
            return new RegistryDecision(access, new HashSet<AccessRecord>(), access.Denial, false);
        }

        if (missing is not null)
        {
            return new RegistryDecision(access, new HashSet<AccessRecord>(), missing, false);
        }

        foreach (var denial in access.WouldDeny)
        {
            RegistryLog.WouldDeny(logger, own.Operation, ownRepository?.Name, denial);
        }

        if (bearer is not null && ownRepository is not null && access.Outcome == AccessOutcome.Allowed &&
            !bearer.Allows(ownRepository.Name, own.Operation))
        {
            return new RegistryDecision(access, new HashSet<AccessRecord>(), null, true);
        }

        var granted = new HashSet<AccessRecord> { own };
        foreach (var record in records.Skip(1))
        {
            if (repositoryOf(record) is { } repository && Permits(access, bearer, record.Operation, repository))
            {
                granted.Add(record);
            }
        }

        return new RegistryDecision(access, granted, null, false);
    }

    /// <summary>Whether the caller of <paramref name="access"/> may also perform <paramref name="operation"/> on a repository (the token endpoint's grants).</summary>
    public bool Permits(RequestAccess access, HttpContext http, string operation, RegistryRepository repository)
    {
        var (credentials, _) = RegistryCredentials.Parse(http.Request.Headers.Authorization.ToString());
        var bearer = credentials is { IsBearer: true, Secret: { Length: > 0 } secret } ? bearers.Find(secret) : null;
        return Permits(access, bearer, operation, repository);
    }

    private bool Permits(RequestAccess access, RegistryBearer? bearer, string operation, RegistryRepository repository)
    {
        var other = access.For(matrix, matrix.Operation(operation));
        var (outOfReach, missing) = Reach(other, repository);
        return other.Denial is null && other.Allows(outOfReach) && missing is null &&
               (bearer is null || bearer.Allows(repository.Name, operation));
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

    /// <summary>
    /// A project-form repository needs its project; an organization-form one the whole organization. Answers the
    /// refusal (a matter of scope) apart from a project that does not exist (not a refusal).
    /// </summary>
    private static (DepotException? OutOfReach, DepotException? Missing) Reach(RequestAccess access, RegistryRepository? repository) => repository switch
    {
        null => (null, null),
        { ProjectId: { } project } => access.CheckProject(project) switch
        {
            (_, { } refusal) => (refusal, null),
            (null, null) => (null, DepotErrors.NotFound("project", project)),
            _ => (null, null),
        },
        _ => (access.CheckWholeOrganization(repository.OrganizationId!), null),
    };

    private async ValueTask<Authentication> AuthenticateAsync(RegistryCredentials credentials, RegistryBearer? bearer, CancellationToken cancellationToken)
    {
        if (bearer is not null)
        {
            return bearers.StillValid(bearer, state) && bearer.Principal is { } principal ? Authentication.Of(principal)
                : Authentication.Refused(DepotErrors.Unauthenticated("the registry token expired or its Depot token was revoked; ask the token endpoint again"));
        }

        if (credentials.Secret is null)
        {
            return Authentication.Refused(DepotErrors.Unauthenticated(
                $"authentication required: log in with username {RegistryCredentials.Username} and a Depot token as the password"));
        }

        return await authenticator.AuthenticateAsync(credentials.Secret, cancellationToken);
    }
}
