using Depot.Emulator.Domain.Errors;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Depot.Emulator.Domain.Matrix;

/// <summary>
/// The permission matrix, read from the two data files under <c>contracts/matrix</c>: which service and access
/// each operation needs, and what each token type may do with each service. Nothing else decides access.
/// </summary>
public sealed class PermissionMatrix
{
    private readonly Dictionary<string, DepotService> _services;
    private readonly Dictionary<(TokenType, string), Grant> _grants;
    private readonly Dictionary<string, OperationInfo> _operations;

    private PermissionMatrix(Dictionary<string, DepotService> services, Dictionary<(TokenType, string), Grant> grants,
        Dictionary<string, OperationInfo> operations)
    {
        _services = services;
        _grants = grants;
        _operations = operations;
    }

    public IReadOnlyCollection<DepotService> Services => _services.Values;

    public IReadOnlyCollection<OperationInfo> Operations => _operations.Values;

    public static PermissionMatrix Load() =>
        Parse(ReadResource("matrix/permissions.yaml"), ReadResource("matrix/operations.yaml"));

    public static PermissionMatrix Parse(string permissionsYaml, string operationsYaml)
    {
        var yaml = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        var permissions = yaml.Deserialize<PermissionsFile>(permissionsYaml)
            ?? throw new InvalidDataException("permissions.yaml is empty");

        var services = new Dictionary<string, DepotService>(StringComparer.Ordinal);
        var grants = new Dictionary<(TokenType, string), Grant>();
        foreach (var (id, row) in permissions.Services)
        {
            services[id] = new DepotService(id, row.Title ?? id);
            foreach (var type in TokenTypes.All)
            {
                if (!row.Grants.TryGetValue(type.Name(), out var grant))
                {
                    throw new InvalidDataException($"permissions.yaml: service {id} has no grant for {type.Name()} tokens");
                }

                grants[(type, id)] = ParseGrant(grant, id);
            }
        }

        var operations = new Dictionary<string, OperationInfo>(StringComparer.Ordinal);
        foreach (var (name, row) in yaml.Deserialize<Dictionary<string, OperationRow>>(operationsYaml) ?? [])
        {
            var service = row.Service == DepotService.None.Id ? DepotService.None
                : services.GetValueOrDefault(row.Service ?? "")
                  ?? throw new InvalidDataException($"operations.yaml: {name} names unknown service \"{row.Service}\"");
            var access = row.Access switch
            {
                "read" => Access.Read,
                "write" => Access.Write,
                _ => throw new InvalidDataException($"operations.yaml: {name} has access \"{row.Access}\"; expected read or write"),
            };
            operations[name] = new OperationInfo(name, service, access);
        }

        return new PermissionMatrix(services, grants, operations);
    }

    public OperationInfo? FindOperation(string name) => _operations.GetValueOrDefault(name);

    public OperationInfo Operation(string name) =>
        FindOperation(name) ?? throw new InvalidOperationException($"{name} has no row in operations.yaml");

    public DepotService Service(string id) => _services[id];

    public Grant GrantFor(TokenType type, DepotService service) => _grants[(type, service.Id)];

    /// <summary>Whether <paramref name="type"/> may perform <paramref name="operation"/>, and why not.</summary>
    public MatrixDecision Decide(TokenType type, OperationInfo operation)
    {
        if (!operation.Service.RequiresToken)
        {
            return MatrixDecision.Allowed(Grant.Allow);
        }

        var grant = GrantFor(type, operation.Service);
        return grant switch
        {
            Grant.Deny => MatrixDecision.Denied(
                $"{type.Name()} tokens cannot use the {operation.Service.Title} service; " +
                $"{operation.Service.Title} accepts {Describe(AllowedTypes(operation.Service, operation.Access))} tokens"),
            Grant.ReadOnly when operation.Access == Access.Write => MatrixDecision.Denied(
                $"{type.Name()} tokens grant read-only {operation.Service.Title} access; {operation.Name} needs write access, " +
                $"which {operation.Service.Title} grants to {Describe(AllowedTypes(operation.Service, Access.Write))} tokens"),
            _ => MatrixDecision.Allowed(grant),
        };
    }

    public IReadOnlyList<TokenType> AllowedTypes(DepotService service, Access access) =>
        TokenTypes.All.Where(t => GrantFor(t, service) switch
        {
            Grant.Deny => false,
            Grant.ReadOnly => access == Access.Read,
            _ => true,
        }).ToList();

    public static string Describe(IReadOnlyList<TokenType> types) => types.Count switch
    {
        0 => "no",
        1 => types[0].Name(),
        _ => string.Join(", ", types.Take(types.Count - 1).Select(t => t.Name())) + " and " + types[^1].Name(),
    };

    private static Grant ParseGrant(string text, string service) => text switch
    {
        "allow" => Grant.Allow,
        "scoped" => Grant.Scoped,
        "read-only" => Grant.ReadOnly,
        "deny" => Grant.Deny,
        _ => throw new InvalidDataException($"permissions.yaml: service {service} has grant \"{text}\""),
    };

    private static string ReadResource(string name)
    {
        using var stream = typeof(PermissionMatrix).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed class PermissionsFile
    {
        public List<string> TokenTypes { get; set; } = [];

        public Dictionary<string, ServiceRow> Services { get; set; } = [];
    }

    private sealed class ServiceRow
    {
        public string? Title { get; set; }

        public Dictionary<string, string> Grants { get; set; } = [];
    }

    private sealed class OperationRow
    {
        public string? Service { get; set; }

        public string? Access { get; set; }
    }
}

public sealed record MatrixDecision(bool IsAllowed, Grant Grant, string? Reason)
{
    public static MatrixDecision Allowed(Grant grant) => new(true, grant, null);

    public static MatrixDecision Denied(string reason) => new(false, Grant.Deny, reason);
}
