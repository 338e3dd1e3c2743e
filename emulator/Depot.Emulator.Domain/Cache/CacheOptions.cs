namespace Depot.Emulator.Domain.Cache;

public sealed record CacheOptions
{
    /// <summary>How long an entry is kept after it was last written or read.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Largest entry (gocache objects stay below 4 GiB; a multipart entry below this in total).</summary>
    public long MaxEntryBytes { get; init; } = 5L * 1024 * 1024 * 1024;

    /// <summary>How long an unfinished multipart upload is kept.</summary>
    public TimeSpan UploadTimeout { get; init; } = TimeSpan.FromHours(1);

    public int MaxUploads { get; init; } = 1000;

    public int MaxPartsPerUpload { get; init; } = 10_000;

    /// <summary>Largest page of <c>ListEntries</c>, and its default.</summary>
    public int MaxPageSize { get; init; } = 1000;
}
