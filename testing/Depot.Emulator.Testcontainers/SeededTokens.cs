using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Seeding;

namespace Depot.Emulator.Testcontainers;

/// <summary>A token the container was seeded with: its type, its secret and what it is bound to.</summary>
public sealed record SeededToken(TokenType Type, string Secret, string? Id, string? User, string? Organization, string? Project, string? Build);

/// <summary>The seed's tokens that have a known secret (a seed that omits one leaves it generated and unknown here).</summary>
public sealed class SeededTokens
{
    private SeededTokens(IReadOnlyList<SeededToken> all) => All = all;

    public IReadOnlyList<SeededToken> All { get; }

    public string User => First(TokenType.User);

    public string Organization => First(TokenType.Organization);

    public string Project => First(TokenType.Project);

    public string Pull => First(TokenType.Pull);

    public string Build => First(TokenType.Build);

    public string TrustRelationship => First(TokenType.TrustRelationship);

    public IEnumerable<SeededToken> OfType(TokenType type) => All.Where(t => t.Type == type);

    /// <summary>The first seeded secret of this type.</summary>
    public string First(TokenType type) => OfType(type).FirstOrDefault()?.Secret
        ?? throw new InvalidOperationException($"the seed has no {type.Name()} token with a secret");

    internal static SeededTokens From(string? seed)
    {
        var document = SeedParser.Parse(seed ?? BuiltInSeed());
        return new SeededTokens(document.Tokens
            .Where(t => t.Secret is not null)
            .Select(t => new SeededToken(TokenTypes.Parse(t.Type), t.Secret!, t.Id, t.User, t.Organization, t.Project, t.Build))
            .ToList());
    }

    private static string BuiltInSeed()
    {
        using var stream = typeof(SeededTokens).Assembly.GetManifestResourceStream("defaults/seed.yaml")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
