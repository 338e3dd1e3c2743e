namespace Depot.Emulator.Domain.Matrix;

public enum TokenType
{
    User,
    Organization,
    Project,
    Pull,
    Build,
    TrustRelationship,
}

public static class TokenTypes
{
    public static readonly IReadOnlyList<TokenType> All = Enum.GetValues<TokenType>();

    /// <summary>The name used in the matrix data, seed files, the control plane and messages.</summary>
    public static string Name(this TokenType type) => type switch
    {
        TokenType.TrustRelationship => "trust-relationship",
        _ => type.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string? name, out TokenType type)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name(), name, StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }

    public static TokenType Parse(string? name) =>
        TryParse(name, out var type) ? type
        : throw Errors.DepotErrors.Invalid(
            $"unknown token type \"{name}\": expected one of {string.Join(", ", All.Select(t => t.Name()))}");
}
