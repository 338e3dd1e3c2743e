using System.Text.RegularExpressions;
using Depot.Emulator.Domain.Authorization;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.OciRegistry;

/// <summary>A registry request once its route is known and its access decided.</summary>
internal sealed record RegistryRequest(
    HttpContext Http,
    RegistryRoute Route,
    Match Match,
    string? Name,
    RegistryRepository? Repository,
    RequestAccess Access,
    IReadOnlySet<AccessRecord> Granted,
    RegistryStorage Storage,
    RegistryAuth Auth,
    EmulatorOptions Options)
{
    public RegistryRepository Repo => Repository ?? throw new InvalidOperationException($"route {Route.Name} has no repository");

    public string Value(string group) => Match.Groups[group].Value;

    /// <summary>A URL under the repository, in the form the client used.</summary>
    public string Url(string suffix) => $"/v2/{Name}/{suffix}";

    public IHeaderDictionary Headers => Http.Response.Headers;

    public Digest DigestValue(string group) => Digest.Parse(Value(group));

    /// <summary>Lets a blob upload body be as large as the client sends (it is streamed to disk).</summary>
    public void AllowLargeBody()
    {
        if (Http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }
}
