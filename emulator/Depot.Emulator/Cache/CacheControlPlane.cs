using Depot.Emulator.Domain.Cache;

namespace Depot.Emulator.Cache;

/// <summary><c>/_emulator/cache</c>: what each organization's cache holds, and emptying it.</summary>
internal static class CacheControlPlane
{
    private const int MaxListed = 1000;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_emulator/cache", (CacheStore store, string? organization) =>
        {
            store.SweepIfDue();
            var entries = store.Index.All(organization);
            return Results.Ok(new
            {
                total = entries.Count,
                bytes = entries.Sum(e => e.Size),
                hits = entries.Sum(e => e.Hits),
                entries = entries.Take(MaxListed).Select(e => new
                {
                    organization = e.OrganizationId, entryType = e.EntryType, key = e.Key, digest = e.Digest.ToString(),
                    sizeBytes = e.Size, e.Name, e.Hits, e.CreatedAt, e.LastUsedAt,
                }),
            });
        });
        endpoints.MapDelete("/_emulator/cache", (CacheStore store, string? organization) =>
        {
            if (organization is null)
            {
                var count = store.Index.All().Count;
                store.Clear();
                return Results.Ok(new { removed = count });
            }

            return Results.Ok(new { removed = store.ClearOrganization(organization) });
        });
    }
}
