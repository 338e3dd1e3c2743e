using Depot.Emulator.Domain.Errors;
using Microsoft.IdentityModel.Tokens;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Depot.Emulator.Domain.Oidc;

/// <summary>
/// Issuers besides the emulator's own, from <c>--oidc-issuers FILE</c>: a real provider (say
/// <c>https://token.actions.githubusercontent.com</c> when online) with its JWKS from a file or a URL.
/// </summary>
public sealed class OidcIssuers
{
    private static readonly TimeSpan JwksLifetime = TimeSpan.FromHours(1);
    private readonly Dictionary<string, ConfiguredIssuer> _issuers;

    public OidcIssuers(IEnumerable<ConfiguredIssuer> issuers) =>
        _issuers = issuers.ToDictionary(i => i.Issuer, StringComparer.Ordinal);

    public static OidcIssuers None { get; } = new([]);

    public IReadOnlyCollection<ConfiguredIssuer> All => _issuers.Values;

    public ConfiguredIssuer? Find(string issuer) => _issuers.GetValueOrDefault(issuer);

    /// <summary>Reads the YAML (or JSON) list: <c>- {provider: github, issuer: https://…, jwksFile: … | jwksUrl: …}</c>.</summary>
    public static OidcIssuers Load(string path, TimeProvider clock, HttpClient? http = null)
    {
        List<Entry> entries;
        try
        {
            entries = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build()
                .Deserialize<List<Entry>?>(File.ReadAllText(path)) ?? [];
        }
        catch (Exception e) when (e is YamlException or IOException)
        {
            throw DepotErrors.Invalid($"--oidc-issuers {path}: {(e.InnerException ?? e).Message}");
        }

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return new OidcIssuers(entries.Select(e =>
        {
            var provider = OidcProvider.Find(e.Provider)
                ?? throw DepotErrors.Invalid($"--oidc-issuers {path}: provider \"{e.Provider}\" is not one of {string.Join(", ", OidcProvider.All.Select(p => p.Id))}");
            if (string.IsNullOrEmpty(e.Issuer) || (e.JwksFile is null) == (e.JwksUrl is null))
            {
                throw DepotErrors.Invalid($"--oidc-issuers {path}: each issuer needs issuer and exactly one of jwksFile, jwksUrl");
            }

            if (e.JwksFile is { } file)
            {
                var keys = ReadJwks(File.ReadAllText(Path.Combine(baseDir, file)), file);
                return new ConfiguredIssuer(provider, e.Issuer, _ => ValueTask.FromResult(keys));
            }

            var client = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var url = e.JwksUrl!;
            var cache = new JwksCache(async ct => ReadJwks(await client.GetStringAsync(url, ct), url), JwksLifetime, clock);
            return new ConfiguredIssuer(provider, e.Issuer, cache.GetAsync);
        }));
    }

    private static IList<SecurityKey> ReadJwks(string json, string source)
    {
        try
        {
            return new JsonWebKeySet(json).GetSigningKeys();
        }
        catch (ArgumentException e)
        {
            throw DepotErrors.Invalid($"JWKS {source} is not a JSON Web Key Set: {e.Message}");
        }
    }

    private sealed class Entry
    {
        public string? Provider { get; set; }

        public string? Issuer { get; set; }

        public string? JwksFile { get; set; }

        public string? JwksUrl { get; set; }
    }

    /// <summary>
    /// Fetched keys, refetched after a while on the emulator's clock; one fetch at a time, awaited, never under a
    /// lock. A failed fetch is an authentication failure, not a crash.
    /// </summary>
    private sealed class JwksCache(Func<CancellationToken, Task<IList<SecurityKey>>> fetch, TimeSpan lifetime, TimeProvider clock)
    {
        private readonly SemaphoreSlim _fetching = new(1, 1);
        private volatile Cached? _cached;

        public async ValueTask<IList<SecurityKey>> GetAsync(CancellationToken cancellationToken)
        {
            if (Fresh() is { } keys)
            {
                return keys;
            }

            await _fetching.WaitAsync(cancellationToken);
            try
            {
                if (Fresh() is { } fetched)
                {
                    return fetched;
                }

                var result = await fetch(cancellationToken);
                _cached = new Cached(result, clock.GetUtcNow());
                return result;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or DepotException)
            {
                throw DepotErrors.Unauthenticated($"OIDC token issuer's JWKS could not be fetched: {e.Message}");
            }
            finally
            {
                _fetching.Release();
            }
        }

        private IList<SecurityKey>? Fresh() =>
            _cached is { } c && clock.GetUtcNow() - c.At < lifetime ? c.Keys : null;

        private sealed record Cached(IList<SecurityKey> Keys, DateTimeOffset At);
    }
}

public sealed record ConfiguredIssuer(OidcProvider Provider, string Issuer, Func<CancellationToken, ValueTask<IList<SecurityKey>>> Keys);
