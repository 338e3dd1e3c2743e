using System.Globalization;
using System.Text.Json.Nodes;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.OciRegistry;

/// <summary>The version check, tag listing with <c>n</c>/<c>last</c> paging, and the referrers API.</summary>
internal static class ContentDiscoveryHandlers
{
    public static Task Base(RegistryRequest request) => JsonAsync(request.Http, new JsonObject(), "application/json");

    public static Task Tags(RegistryRequest request)
    {
        var query = request.Http.Request.Query;
        int? n = null;
        if (query["n"] is { Count: > 0 } text)
        {
            n = int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new RegistryException(RegistryErrors.PaginationNumberInvalid, $"n must be a whole number: got \"{text}\"");
        }

        var repository = request.Repo.Name;
        var all = request.Storage.Tags(repository);
        if (all.Count == 0 && !request.Storage.RepositoryExists(repository))
        {
            throw new RegistryException(RegistryErrors.NameUnknown, $"repository {request.Name} has no images");
        }

        var last = query["last"].ToString();
        var after = all.Select(t => t.Tag).Where(t => last.Length == 0 || string.CompareOrdinal(t, last) > 0).ToList();
        var page = n is { } size ? after.Take(size).ToList() : after;
        if (n is > 0 && after.Count > page.Count)
        {
            request.Headers.Link = $"<{request.Url("tags/list")}?n={n}&last={Uri.EscapeDataString(page[^1])}>; rel=\"next\"";
        }

        return JsonAsync(request.Http, new JsonObject
        {
            ["name"] = request.Name,
            ["tags"] = new JsonArray(page.Select(t => (JsonNode)t!).ToArray()),
        }, "application/json");
    }

    /// <summary>An image index of the manifests whose subject is the digest; never 404, as the spec asks.</summary>
    public static Task Referrers(RegistryRequest request)
    {
        var subject = request.DigestValue("digest");
        var artifactType = request.Http.Request.Query["artifactType"].ToString();
        var referrers = request.Storage.Referrers(request.Repo.Name, subject, artifactType.Length > 0 ? artifactType : null);
        if (artifactType.Length > 0)
        {
            request.Headers["OCI-Filters-Applied"] = "artifactType";
        }

        var manifests = new JsonArray();
        foreach (var m in referrers)
        {
            var descriptor = new JsonObject { ["mediaType"] = m.MediaType, ["digest"] = m.Digest.ToString(), ["size"] = m.Size };
            if (m.ArtifactType is { } type)
            {
                descriptor["artifactType"] = type;
            }

            if (m.Annotations is { Count: > 0 } annotations)
            {
                descriptor["annotations"] = new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
            }

            manifests.Add(descriptor);
        }

        return JsonAsync(request.Http, new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = manifests,
        }, MediaTypes.OciIndex);
    }

    public static async Task JsonAsync(HttpContext http, JsonNode body, string contentType, int status = 200)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString());
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        http.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        }
    }
}
