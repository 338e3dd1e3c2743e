namespace Depot.Emulator.Domain.Storage;

/// <summary>The emulator's own records beside Depot's: the seed it was started with, the clock's offset.</summary>
public interface ISettingsStore
{
    string? Get(string key);

    void Set(string key, string value);
}

public static class SettingKeys
{
    /// <summary>The seed document as text, as reset returns to it.</summary>
    public const string Seed = "seed";

    /// <summary>The SHA-256 of the seed file the data dir was populated from; a different one is refused.</summary>
    public const string SeedOrigin = "seed-origin";

    /// <summary>How far the clock was moved forward, in ticks.</summary>
    public const string ClockOffset = "clock-offset";
}
