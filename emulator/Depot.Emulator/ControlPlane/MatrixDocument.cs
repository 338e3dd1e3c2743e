using Depot.Emulator.Domain.Matrix;

namespace Depot.Emulator.ControlPlane;

/// <summary>The matrix as JSON, and as the Markdown table the README shows; both from the same data.</summary>
public static class MatrixDocument
{
    public static object From(PermissionMatrix matrix) => new
    {
        tokenTypes = TokenTypes.All.Select(t => t.Name()),
        services = matrix.Services.Select(s => new
        {
            id = s.Id,
            title = s.Title,
            grants = TokenTypes.All.ToDictionary(t => t.Name(), t => GrantName(matrix.GrantFor(t, s))),
        }),
        operations = matrix.Operations.OrderBy(o => o.Name, StringComparer.Ordinal).Select(o => new
        {
            name = o.Name,
            service = o.Service.Id,
            access = o.Access.ToString().ToLowerInvariant(),
            allowedTokenTypes = o.Service.RequiresToken
                ? matrix.AllowedTypes(o.Service, o.Access).Select(t => t.Name())
                : ["(no token)"],
        }),
    };

    public static string Markdown(PermissionMatrix matrix)
    {
        var lines = new List<string>
        {
            "| Service | " + string.Join(" | ", TokenTypes.All.Select(t => t.Name())) + " |",
            "|---|" + string.Concat(TokenTypes.All.Select(_ => "---|")),
        };
        lines.AddRange(matrix.Services.Select(s =>
            $"| {s.Title} | " + string.Join(" | ", TokenTypes.All.Select(t => Cell(matrix.GrantFor(t, s)))) + " |"));
        lines.Add("");
        lines.Add("| Operation | Service | Access | Token types allowed |");
        lines.Add("|---|---|---|---|");
        lines.AddRange(matrix.Operations.OrderBy(o => o.Name, StringComparer.Ordinal).Select(o =>
            $"| `{o.Name}` | {o.Service.Title} | {o.Access.ToString().ToLowerInvariant()} | " +
            (o.Service.RequiresToken ? string.Join(", ", matrix.AllowedTypes(o.Service, o.Access).Select(t => t.Name())) : "no token") + " |"));
        return string.Join('\n', lines) + '\n';
    }

    public static string GrantName(Grant grant) => grant switch
    {
        Grant.Allow => "allow",
        Grant.Scoped => "scoped",
        Grant.ReadOnly => "read-only",
        _ => "deny",
    };

    private static string Cell(Grant grant) => grant switch
    {
        Grant.Allow => "✅",
        Grant.Scoped => "✅ scoped",
        Grant.ReadOnly => "✅ read-only, scoped",
        _ => "—",
    };
}
