using System.Text.RegularExpressions;
using Depot.Emulator.Domain.Matrix;

namespace Depot.Emulator.Cache;

/// <summary>How a protocol's client reads a refusal: plain text, or a JSON error object (Turborepo).</summary>
internal enum CacheErrorStyle
{
    Text,
    Json,
}

/// <summary>What one verb on one cache route does: the matrix operation it needs and the handler that serves it.</summary>
internal sealed record CacheRouteMethod(string Operation, Func<CacheRequest, Task> Handler);

/// <summary>
/// One route of a cache protocol. <c>key</c> in the pattern is the cache key; <see cref="EntryType"/> keeps each
/// protocol's keys apart within an organization's cache. <see cref="Templates"/> are where ASP.NET routing sends it.
/// </summary>
internal sealed record CacheRoute(string Name, string EntryType, CacheErrorStyle Errors, string[] Templates, Regex Pattern,
    IReadOnlyDictionary<string, CacheRouteMethod> Methods);

/// <summary>
/// Every build tool's cache protocol as data, in match order. Every verb names its operation in
/// <c>contracts/matrix/operations.yaml</c>; <see cref="Verify"/> checks the two agree at start-up.
/// </summary>
internal static class CacheRoutes
{
    public const string Read = "cache.read";
    public const string Write = "cache.write";
    public const string Presigned = "cache.presigned";

    private const string Hex = "[0-9a-f]";

    /// <summary>The routes right under the root (Gradle, sccache) share a catch-all, tried after every other endpoint.</summary>
    public const string Root = "/{**path}";

    public static readonly IReadOnlyList<CacheRoute> All =
    [
        // The URLs CacheService hands out (S3's presigned URLs on Depot).
        Route("upload-part", "", CacheErrorStyle.Text, ["/cache/v1/uploads/{**rest}"], @"^/cache/v1/uploads/(?<id>[A-Za-z0-9_]+)/parts/(?<part>\d{1,5})$",
            ("PUT", Presigned, PresignedHandlers.PutPart)),
        Route("download", "", CacheErrorStyle.Text, ["/cache/v1/blobs/{**rest}"], $@"^/cache/v1/blobs/(?<digest>{Hex}{{64}})$",
            ("GET", Presigned, PresignedHandlers.Download), ("HEAD", Presigned, PresignedHandlers.Download)),

        // depot gocache (GOCACHEPROG): the action ID in lower-case hex.
        Route("gocache", "gocache", CacheErrorStyle.Text, ["/gocache/v1/{**rest}"], $@"^/gocache/v1/(?<key>{Hex}{{1,128}})$",
            ("GET", Read, GoCacheHandlers.Get), ("PUT", Write, GoCacheHandlers.Put)),

        // Turborepo's remote cache API (TURBO_API); TURBO_TEAM arrives as ?slug= or ?teamId=.
        Route("turbo-status", "turbo", CacheErrorStyle.Json, ["/v8/artifacts/{**rest}"], @"^/v8/artifacts/status$",
            ("GET", Read, TurboHandlers.Status)),
        Route("turbo-events", "turbo", CacheErrorStyle.Json, ["/v8/artifacts/{**rest}"], @"^/v8/artifacts/events$",
            ("POST", Write, TurboHandlers.Events)),
        Route("turbo-artifact", "turbo", CacheErrorStyle.Json, ["/v8/artifacts/{**rest}"], @"^/v8/artifacts/(?<key>[A-Za-z0-9]{1,128})$",
            ("GET", Read, TurboHandlers.Get), ("HEAD", Read, TurboHandlers.Get), ("PUT", Write, TurboHandlers.Put)),

        // Bazel's HTTP cache: the action cache and the content-addressed store.
        Route("bazel-ac", "bazel-ac", CacheErrorStyle.Text, ["/ac/{**rest}"], $@"^/ac/(?<key>{Hex}{{64}})$",
            ("GET", Read, KeyValueHandlers.Get), ("HEAD", Read, KeyValueHandlers.Get), ("PUT", Write, KeyValueHandlers.Put)),
        Route("bazel-cas", "bazel-cas", CacheErrorStyle.Text, ["/cas/{**rest}"], $@"^/cas/(?<key>{Hex}{{64}})$",
            ("GET", Read, KeyValueHandlers.Get), ("HEAD", Read, KeyValueHandlers.Get), ("PUT", Write, KeyValueHandlers.PutContentAddressed)),

        // sccache's WebDAV (what depot cargo sets up): keys under three one-character directories, and its start-up check.
        Route("sccache-dir", "sccache", CacheErrorStyle.Text, [Root], $@"^/({Hex}/){{1,3}}$",
            ("MKCOL", Write, WebDavHandlers.MakeCollection), ("PROPFIND", Read, WebDavHandlers.PropFind)),
        Route("sccache", "sccache", CacheErrorStyle.Text, [Root],
            $@"^/(?<key>({Hex}/{Hex}/{Hex}/{Hex}{{1,128}})|\.sccache_check)$",
            ("GET", Read, KeyValueHandlers.Get), ("HEAD", Read, KeyValueHandlers.Get), ("PUT", Write, KeyValueHandlers.Put),
            ("PROPFIND", Read, WebDavHandlers.PropFind)),

        // Gradle's HTTP build cache: the cache key right under the URL.
        Route("gradle", "gradle", CacheErrorStyle.Text, [Root], $@"^/(?<key>{Hex}{{32,128}})$",
            ("GET", Read, KeyValueHandlers.Get), ("HEAD", Read, KeyValueHandlers.Get), ("PUT", Write, KeyValueHandlers.Put)),
    ];

    public static (CacheRoute Route, Match Match)? Find(string path)
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

    /// <summary>Start-up check: every route names an operation with a row, and every <c>cache.</c> row has a route.</summary>
    public static void Verify(PermissionMatrix matrix)
    {
        var routed = All.SelectMany(r => r.Methods.Values.Select(m => m.Operation)).ToHashSet(StringComparer.Ordinal);
        var rows = matrix.Operations.Select(o => o.Name).Where(n => n.StartsWith("cache.", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        if (!routed.SetEquals(rows))
        {
            throw new InvalidOperationException(
                $"contracts/matrix/operations.yaml and the cache routes disagree: routed {string.Join(", ", routed.Order())}; rows {string.Join(", ", rows.Order())}");
        }
    }

    private static CacheRoute Route(string name, string entryType, CacheErrorStyle errors, string[] templates, string pattern,
        params (string Verb, string Operation, Func<CacheRequest, Task> Handler)[] methods) =>
        new(name, entryType, errors, templates, new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled),
            methods.ToDictionary(m => m.Verb, m => new CacheRouteMethod(m.Operation, m.Handler), StringComparer.OrdinalIgnoreCase));
}
