using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.OciRegistry;
using Microsoft.AspNetCore.Http;

namespace Depot.Emulator.Tests.Registry;

/// <summary>The one function that maps a verb on a route to the access it needs, and the route table it reads.</summary>
public class RegistryAccessTests
{
    public static TheoryData<string, string, string, string?, string> Requests() => new()
    {
        { "GET", "/v2/", "base", null, "registry.pull" },
        { "GET", "/v2/token", "token", null, "registry.token" },
        { "POST", "/v2/token", "token", null, "registry.token" },
        { "GET", "/v2/proj-web/tags/list", "tags", "proj-web", "registry.pull" },
        { "GET", "/v2/proj-web/manifests/latest", "manifest", "proj-web", "registry.pull" },
        { "HEAD", "/v2/proj-web/manifests/latest", "manifest", "proj-web", "registry.pull" },
        { "PUT", "/v2/proj-web/manifests/latest", "manifest", "proj-web", "registry.push" },
        { "DELETE", "/v2/proj-web/manifests/latest", "manifest", "proj-web", "registry.delete" },
        { "POST", "/v2/org-acme/team/app/blobs/uploads/", "upload-start", "org-acme/team/app", "registry.push" },
        { "GET", "/v2/proj-web/blobs/uploads/abc", "upload", "proj-web", "registry.push" },
        { "PATCH", "/v2/proj-web/blobs/uploads/abc", "upload", "proj-web", "registry.push" },
        { "PUT", "/v2/proj-web/blobs/uploads/abc", "upload", "proj-web", "registry.push" },
        { "DELETE", "/v2/proj-web/blobs/uploads/abc", "upload", "proj-web", "registry.push" },
        { "GET", "/v2/org-acme/a.b/blobs/sha256:00", "blob", "org-acme/a.b", "registry.pull" },
        { "HEAD", "/v2/proj-web/blobs/sha256:00", "blob", "proj-web", "registry.pull" },
        { "DELETE", "/v2/proj-web/blobs/sha256:00", "blob", "proj-web", "registry.delete" },
        { "GET", "/v2/proj-web/referrers/sha256:00", "referrers", "proj-web", "registry.pull" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Each_verb_on_each_route_needs_one_operation(string method, string path, string route, string? repository, string operation)
    {
        var found = RegistryRoutes.Find(path);
        Assert.NotNull(found);
        Assert.Equal(route, found.Value.Route.Name);
        var name = found.Value.Route.HasRepository ? found.Value.Match.Groups["name"].Value : null;
        Assert.Equal(repository, name);
        var records = RegistryAccess.For(found.Value.Route, method, name, new QueryCollection());
        Assert.Equal(new AccessRecord(repository, operation), Assert.Single(records));
    }

    [Fact]
    public void A_mount_also_needs_to_pull_the_source_repository()
    {
        var found = RegistryRoutes.Find("/v2/proj-web/blobs/uploads/")!.Value;
        var query = new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
        {
            ["mount"] = "sha256:00",
            ["from"] = "proj-api",
        });
        Assert.Equal(
            [new AccessRecord("proj-web", "registry.push"), new AccessRecord("proj-api", "registry.pull")],
            RegistryAccess.For(found.Route, "POST", "proj-web", query));
    }

    [Fact]
    public void A_verb_a_route_does_not_serve_needs_nothing_and_paths_outside_the_api_match_no_route()
    {
        var blob = RegistryRoutes.Find("/v2/proj-web/blobs/sha256:00")!.Value;
        Assert.Empty(RegistryAccess.For(blob.Route, "PATCH", "proj-web", new QueryCollection()));
        Assert.Null(RegistryRoutes.Find("/v2/_catalog/x"));
        Assert.Null(RegistryRoutes.Find("/v2/proj-web"));
    }

    [Fact]
    public void Every_registry_route_has_a_row_and_every_row_a_route()
    {
        var rows = PermissionMatrix.Load().Operations.Select(o => o.Name).Where(n => n.StartsWith("registry.", StringComparison.Ordinal)).Order();
        Assert.Equal(rows, RegistryCoverage.RoutedOperations());
        RegistryCoverage.Verify(PermissionMatrix.Load());
    }

    [Fact]
    public void A_registry_route_without_a_row_stops_the_start()
    {
        var matrix = PermissionMatrix.Parse(
            "services:\n  registry:\n    grants: {user: allow, organization: allow, project: scoped, pull: read-only, build: scoped, trust-relationship: scoped}\n",
            "registry.pull: {service: registry, access: read}\nregistry.ghost: {service: registry, access: read}\n");
        var e = Assert.Throws<InvalidOperationException>(() => RegistryCoverage.Verify(matrix));
        Assert.Contains("Routed without a row: registry.delete, registry.push, registry.token", e.Message);
        Assert.Contains("Rows no route uses: registry.ghost", e.Message);
    }
}
