namespace Depot.Emulator.Domain.Registry;

public sealed class RegistryStorageOptions
{
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(7);

    /// <summary>Where blobs and the index are kept across restarts; null keeps them in a private temporary directory.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>How long a tag (and then what only it kept alive) lives after it was pushed.</summary>
    public TimeSpan Retention { get; init; } = DefaultRetention;

    /// <summary>How long an upload session may sit idle before it is dropped.</summary>
    public TimeSpan UploadTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The largest manifest accepted (the distribution spec asks registries to take at least 4 MiB).</summary>
    public int MaxManifestBytes { get; init; } = 4 * 1024 * 1024;
}
