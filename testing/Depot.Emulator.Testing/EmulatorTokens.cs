using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Testing;

/// <summary>
/// Tokens of every type for a test: new ones issued straight into the emulator's state (only their hashes are kept
/// there, so the secret is handed out once, here), bound to a project and what that type needs.
/// </summary>
public sealed class EmulatorTokens(DepotState state)
{
    /// <summary>
    /// A new token of <paramref name="type"/> that reaches <paramref name="projectId"/>: a user or organization token
    /// through the project's organization, a build token for a new running build of it.
    /// </summary>
    public string Issue(TokenType type, string projectId)
    {
        var project = state.FindProject(projectId) ?? throw new ArgumentException($"no project {projectId} in the emulator", nameof(projectId));
        switch (type)
        {
            case TokenType.User:
                var user = state.Users().FirstOrDefault(u => u.OrganizationIds.Contains(project.OrganizationId))
                    ?? throw new InvalidOperationException($"no seeded user belongs to {project.OrganizationId}");
                return state.IssueToken(new TokenRequest(type, UserId: user.Id)).Secret;
            case TokenType.Organization:
                return state.IssueToken(new TokenRequest(type, OrganizationId: project.OrganizationId)).Secret;
            case TokenType.Build:
                return state.StartBuild(project.Id, BuildOrigin.Api, []).Token;
            default:
                return state.IssueToken(new TokenRequest(type, ProjectId: project.Id)).Secret;
        }
    }

    /// <summary>One new token of each type for <paramref name="projectId"/>, for tests that walk the matrix.</summary>
    public IReadOnlyDictionary<TokenType, string> IssueEach(string projectId) =>
        TokenTypes.All.ToDictionary(t => t, t => Issue(t, projectId));
}
