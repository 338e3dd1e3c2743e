using Depot.Emulator.Domain.Matrix;

namespace Depot.Emulator.OciRegistry;

/// <summary>Start-up check: every registry route names an operation with a row, and every registry row has a route.</summary>
public static class RegistryCoverage
{
    public static void Verify(PermissionMatrix matrix)
    {
        var routed = RegistryRoutes.All.SelectMany(r => r.Methods.Values.Select(m => m.Operation)).ToHashSet(StringComparer.Ordinal);
        var rows = matrix.Operations.Select(o => o.Name).Where(n => n.StartsWith("registry.", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var unlisted = routed.Except(rows).Order().ToList();
        var unrouted = rows.Except(routed).Order().ToList();
        if (unlisted.Count > 0 || unrouted.Count > 0)
        {
            throw new InvalidOperationException(
                "contracts/matrix/operations.yaml and the registry routes disagree." +
                (unlisted.Count > 0 ? " Routed without a row: " + string.Join(", ", unlisted) + "." : "") +
                (unrouted.Count > 0 ? " Rows no route uses: " + string.Join(", ", unrouted) + "." : ""));
        }
    }

    /// <summary>For tests: the operations the routes name.</summary>
    public static IReadOnlyCollection<string> RoutedOperations() =>
        RegistryRoutes.All.SelectMany(r => r.Methods.Values.Select(m => m.Operation)).Distinct().Order().ToList();
}
