using System.Text.RegularExpressions;

namespace Depot.Emulator.OciRegistry;

/// <summary>What one verb on one route does: the matrix operation it needs and the handler that serves it.</summary>
internal sealed record RouteMethod(string Operation, Func<RegistryRequest, Task> Handler);

/// <summary>One route of the distribution API. <c>name</c> in the pattern is the repository as the client wrote it.</summary>
internal sealed record RegistryRoute(string Name, Regex Pattern, IReadOnlyDictionary<string, RouteMethod> Methods)
{
    public bool HasRepository => Pattern.GetGroupNames().Contains("name");
}

/// <summary>
/// The distribution spec's endpoints as data, in match order (uploads before blobs, since <c>uploads</c> could be read
/// as a digest). Every verb names its operation in <c>contracts/matrix/operations.yaml</c>; <see cref="RegistryCoverage"/>
/// checks the two agree at start-up.
/// </summary>
internal static class RegistryRoutes
{
    public const string Pull = "registry.pull";
    public const string Push = "registry.push";
    public const string Delete = "registry.delete";
    public const string Token = "registry.token";

    public static readonly IReadOnlyList<RegistryRoute> All =
    [
        Route("base", @"^/v2/?$",
            ("GET", Pull, ContentDiscoveryHandlers.Base), ("HEAD", Pull, ContentDiscoveryHandlers.Base)),
        Route("token", @"^/v2/token$",
            ("GET", Token, RegistryTokenEndpoint.Issue), ("POST", Token, RegistryTokenEndpoint.Issue)),
        Route("tags", @"^/v2/(?<name>.+)/tags/list$",
            ("GET", Pull, ContentDiscoveryHandlers.Tags)),
        Route("referrers", @"^/v2/(?<name>.+)/referrers/(?<digest>[^/]+)$",
            ("GET", Pull, ContentDiscoveryHandlers.Referrers)),
        Route("manifest", @"^/v2/(?<name>.+)/manifests/(?<reference>[^/]+)$",
            ("GET", Pull, ManifestHandlers.Get), ("HEAD", Pull, ManifestHandlers.Get),
            ("PUT", Push, ManifestHandlers.Put), ("DELETE", Delete, ManifestHandlers.Delete)),
        Route("upload-start", @"^/v2/(?<name>.+)/blobs/uploads/?$",
            ("POST", Push, UploadHandlers.Start)),
        Route("upload", @"^/v2/(?<name>.+)/blobs/uploads/(?<id>[^/]+)$",
            ("GET", Push, UploadHandlers.Status), ("PATCH", Push, UploadHandlers.Patch),
            ("PUT", Push, UploadHandlers.Complete), ("DELETE", Push, UploadHandlers.Cancel)),
        Route("blob", @"^/v2/(?<name>.+)/blobs/(?<digest>[^/]+)$",
            ("GET", Pull, BlobHandlers.Get), ("HEAD", Pull, BlobHandlers.Get), ("DELETE", Delete, BlobHandlers.Delete)),
    ];

    public static (RegistryRoute Route, Match Match)? Find(string path)
    {
        foreach (var route in All)
        {
            var match = route.Pattern.Match(path);
            if (match.Success)
            {
                return (route, match);
            }
        }

        return null;
    }

    private static RegistryRoute Route(string name, string pattern, params (string Verb, string Operation, Func<RegistryRequest, Task> Handler)[] methods) =>
        new(name, new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled),
            methods.ToDictionary(m => m.Verb, m => new RouteMethod(m.Operation, m.Handler), StringComparer.OrdinalIgnoreCase));
}
