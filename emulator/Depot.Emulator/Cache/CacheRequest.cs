using System.Text.RegularExpressions;
using Depot.Emulator.Domain.Cache;

namespace Depot.Emulator.Cache;

/// <summary>One authorized request to a cache protocol: its route, the key, and the organization whose cache it uses.</summary>
internal sealed record CacheRequest(HttpContext Http, CacheRoute Route, Match Match, string? OrganizationId, CacheStore Store, CacheTickets Tickets)
{
    public string Key => Match.Groups["key"].Value;

    /// <summary>The organization, for routes that need one (every route but the presigned ones).</summary>
    public string Organization => OrganizationId ?? throw new InvalidOperationException($"{Route.Name} ran without an organization");
}
