using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Oidc;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Identity;

/// <summary>Turns a presented bearer secret into a <see cref="Principal"/>, or says exactly why not.</summary>
public sealed class Authenticator(DepotState state, OidcVerifier? oidc = null, OidcExchange? exchange = null)
{
    public Principal Authenticate(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            throw DepotErrors.Unauthenticated("missing token: send Authorization: Bearer <token>");
        }

        if (oidc is not null && OidcVerifier.LooksLikeJwt(secret))
        {
            return TrustRelationship(oidc.Verify(secret));
        }

        if (exchange?.Find(secret) is { } exchanged)
        {
            return TrustRelationship(exchanged);
        }

        var token = state.FindTokenBySecret(secret)
            ?? throw DepotErrors.Unauthenticated("unknown or revoked token");
        if (token.ExpiresAt is { } expires && expires <= state.Clock.GetUtcNow())
        {
            throw DepotErrors.Unauthenticated($"{token.Type.Name()} token {token.Id} expired at {expires:O}");
        }

        return new Principal(token.Id, token.Type, ScopeOf(token));
    }

    /// <summary>A CI provider's token: a project token for each project whose trust policies it satisfies.</summary>
    private Principal TrustRelationship(TrustIdentity identity) =>
        new(identity.TokenId, TokenType.TrustRelationship, new TrustScope(identity, state));

    /// <summary>A token's scope follows from what it is bound to: a build, a project, an organization or a user.</summary>
    private TokenScope ScopeOf(TokenRecord token)
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
            var user = state.FindUser(userId) ?? throw DepotErrors.Unauthenticated("the token's user no longer exists");
            return new OrganizationsScope(user.OrganizationIds);
        }

        return new OrganizationsScope([token.OrganizationId!]);
    }
}
