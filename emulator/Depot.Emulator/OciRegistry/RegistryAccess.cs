namespace Depot.Emulator.OciRegistry;

/// <summary>One thing a request needs: an operation on a repository (as the client named it), or on the registry itself.</summary>
internal sealed record AccessRecord(string? Repository, string Operation);

/// <summary>The one function that says what access a registry request needs, and the token-scope words for it.</summary>
internal static class RegistryAccess
{
    /// <summary>Docker token scope actions and the operations they stand for.</summary>
    public static readonly IReadOnlyDictionary<string, string> Actions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pull"] = RegistryRoutes.Pull,
        ["push"] = RegistryRoutes.Push,
        ["delete"] = RegistryRoutes.Delete,
    };

    /// <summary>
    /// The route's operation for the verb on the route's repository, and for a cross-repository mount
    /// (<c>POST …/blobs/uploads/?mount=&lt;digest&gt;&amp;from=&lt;repo&gt;</c>) also a pull of the source repository.
    /// The first record is the request's own operation.
    /// </summary>
    public static IReadOnlyList<AccessRecord> For(RegistryRoute route, string method, string? repository, IQueryCollection query)
    {
        if (!route.Methods.TryGetValue(method, out var verb))
        {
            return [];
        }

        var records = new List<AccessRecord> { new(repository, verb.Operation) };
        if (route.Name == "upload-start" && query["mount"].Count > 0 && query["from"] is { Count: > 0 } from && from.ToString().Length > 0)
        {
            records.Add(new AccessRecord(from.ToString(), RegistryRoutes.Pull));
        }

        return records;
    }

    /// <summary>The actions a challenge asks a token for: pushing implies pulling, as Docker clients expect.</summary>
    public static string ChallengeActions(string operation) => operation switch
    {
        RegistryRoutes.Push => "pull,push",
        RegistryRoutes.Delete => "delete",
        _ => "pull",
    };
}
