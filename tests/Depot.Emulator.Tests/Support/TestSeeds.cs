using Depot.Emulator.Domain.Matrix;

namespace Depot.Emulator.Tests.Support;

/// <summary>The fixed ids and secrets of <c>seeds/acme.yaml</c>.</summary>
public static class TestSeeds
{
    public static string AcmePath => Path.Combine(AppContext.BaseDirectory, "seeds", "acme.yaml");

    /// <summary>One token of each type, all reaching project proj-web (the user and organization tokens through org-acme).</summary>
    public static readonly IReadOnlyDictionary<TokenType, (string Id, string Secret)> Tokens = new Dictionary<TokenType, (string, string)>
    {
        [TokenType.User] = ("tok-user-ada", "test-user-ada"),
        [TokenType.Organization] = ("tok-org-acme", "test-org-acme"),
        [TokenType.Project] = ("tok-proj-web", "test-proj-web"),
        [TokenType.Pull] = ("tok-pull-web", "test-pull-web"),
        [TokenType.Build] = ("tok-build-web", "test-build-web"),
        [TokenType.TrustRelationship] = ("tok-trust-web", "test-trust-web"),
    };

    public static string Secret(TokenType type) => Tokens[type].Secret;
}
