using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Domain.Seeding;

/// <summary>The seed a durable emulator was populated from, kept beside its records so a reset returns to it.</summary>
public static class SeedRecord
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static SeedDocument? Recorded(ISettingsStore settings) =>
        settings.Get(SettingKeys.Seed) is { } text ? JsonSerializer.Deserialize<SeedDocument>(text, Json) : null;

    public static void Record(ISettingsStore settings, SeedDocument seed) =>
        settings.Set(SettingKeys.Seed, JsonSerializer.Serialize(seed, Json));

    /// <summary>
    /// Decides what a start with <paramref name="seedText"/> may do to stores that already hold state: an unchanged
    /// seed (or none given) keeps them; a different one is refused, since applying it would silently drop what is there.
    /// </summary>
    public static void CheckOrigin(ISettingsStore settings, string seedText, bool seedGiven, string dataDirectory)
    {
        var origin = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seedText)));
        if (settings.Get(SettingKeys.Seed) is null)
        {
            settings.Set(SettingKeys.SeedOrigin, origin);
            return;
        }

        if (seedGiven && settings.Get(SettingKeys.SeedOrigin) != origin)
        {
            throw DepotErrors.Invalid(
                $"--data-dir {dataDirectory} already holds state seeded from another seed; start without --seed (or with the one it " +
                "was made from) to keep it, or add --reset-data to empty the data dir and seed it anew");
        }
    }

    /// <summary>The seed's tokens whose secrets it names and that still exist, for the banner of a reopened data dir.</summary>
    public static IReadOnlyList<IssuedToken> KnownSecrets(SeedDocument seed, ITokenStore tokens) =>
        seed.Tokens.Where(t => t.Secret is not null)
            .Select(t => tokens.FindByHash(SecretHash.Of(t.Secret!)) is { } record ? new IssuedToken(record, t.Secret!) : null)
            .OfType<IssuedToken>()
            .ToList();
}
