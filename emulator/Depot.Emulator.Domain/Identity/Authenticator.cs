using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Oidc;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Identity;

/// <summary>Turns a presented bearer secret into a <see cref="Principal"/>, or says exactly why not.</summary>
public sealed class Authenticator(DepotState state, OidcVerifier? oidc = null, OidcExchange? exchange = null)
{
    public async ValueTask<Authentication> AuthenticateAsync(string? secret, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return Authentication.Refused(DepotErrors.TokenMissing.Raise());
        }

        if (oidc is not null && OidcVerifier.LooksLikeJwt(secret))
        {
            var verified = await oidc.TryVerifyAsync(secret, cancellationToken);
            return verified.Identity is { } identity ? Authentication.Of(TrustRelationship(identity)) : Authentication.Refused(verified.Failure!);
        }

        if (exchange?.Find(secret) is { } found && (found.Identity is not null || found.Failure is not null))
        {
            return found.Identity is { } exchanged ? Authentication.Of(TrustRelationship(exchanged)) : Authentication.Refused(found.Failure!);
        }

        if (state.FindTokenBySecret(secret) is not { } token)
        {
            return Authentication.Refused(DepotErrors.TokenUnknown.Raise());
        }

        if (token.ExpiresAt is { } expires && expires <= state.Clock.GetUtcNow())
        {
            return Authentication.Refused(DepotErrors.TokenExpired.Raise(token.Type.Name(), token.Id, expires.ToString("O")));
        }

        return ScopeOf(token) is { } scope
            ? Authentication.Of(new Principal(token.Id, token.Type, scope))
            : Authentication.Refused(DepotErrors.Unauthenticated("the token's user no longer exists"));
    }

    /// <summary>A CI provider's token: a project token for each project whose trust policies it satisfies.</summary>
    private Principal TrustRelationship(TrustIdentity identity) =>
        new(identity.TokenId, TokenType.TrustRelationship, new TrustScope(identity, state));

    /// <summary>A token's scope follows from what it is bound to: a build, a project, an organization or a user.</summary>
    private TokenScope? ScopeOf(TokenRecord token)
    {
        if (token.BuildId is { } build && token.ProjectId is { } buildProject)
        {
            return new BuildScope(build, buildProject, token.OrganizationId!);
        }

        if (token.ProjectId is { } project)
        {
            return new ProjectScope(project, token.OrganizationId!);
        }

        if (token.UserId is { } userId)
        {
            return state.FindUser(userId) is { } user ? new OrganizationsScope(user.OrganizationIds) : null;
        }

        return new OrganizationsScope([token.OrganizationId!]);
    }
}
