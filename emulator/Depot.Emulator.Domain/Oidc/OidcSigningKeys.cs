using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Depot.Emulator.Domain.Oidc;

/// <summary>
/// One RSA key per fake provider, created on first use. With a key file the keys are read from it and new ones are
/// written back, so tokens, <c>kid</c>s and JWKS stay the same across restarts.
/// </summary>
public sealed class OidcSigningKeys(string? keyFile)
{
    private readonly Lock _lock = new();
    private Dictionary<string, RsaSecurityKey>? _keys;

    public string? KeyFile { get; } = keyFile;

    /// <summary>Reads the key file now, so a bad one stops start-up instead of the first CI token.</summary>
    public void Open()
    {
        lock (_lock)
        {
            _keys ??= Load();
        }
    }

    public RsaSecurityKey For(OidcProvider provider)
    {
        lock (_lock)
        {
            _keys ??= Load();
            if (!_keys.TryGetValue(provider.Id, out var key))
            {
                key = Key(RSA.Create(2048));
                _keys[provider.Id] = key;
                Save();
            }

            return key;
        }
    }

    /// <summary>The provider's JWKS: its public key only.</summary>
    public JsonWebKeySet Jwks(OidcProvider provider)
    {
        var key = For(provider);
        var publicKey = JsonWebKeyConverter.ConvertFromRSASecurityKey(
            new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
        publicKey.Use = "sig";
        publicKey.Alg = SecurityAlgorithms.RsaSha256;
        var set = new JsonWebKeySet();
        set.Keys.Add(publicKey);
        return set;
    }

    private static RsaSecurityKey Key(RSA rsa)
    {
        var key = new RsaSecurityKey(rsa);
        // RFC 7638 thumbprint: stable for the key, whatever the file looks like.
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }

    private Dictionary<string, RsaSecurityKey> Load()
    {
        var keys = new Dictionary<string, RsaSecurityKey>(StringComparer.Ordinal);
        if (KeyFile is null || !File.Exists(KeyFile))
        {
            return keys;
        }

        try
        {
            var pems = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(KeyFile)) ?? [];
            foreach (var (provider, pem) in pems)
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                keys[provider] = Key(rsa);
            }
        }
        catch (Exception e) when (e is JsonException or CryptographicException or ArgumentException)
        {
            throw Errors.DepotErrors.Invalid($"--oidc-key-file {KeyFile}: not a key file this emulator wrote ({e.Message})");
        }

        return keys;
    }

    private void Save()
    {
        if (KeyFile is null)
        {
            return;
        }

        var pems = _keys!.ToDictionary(k => k.Key, k => k.Value.Rsa.ExportPkcs8PrivateKeyPem());
        var directory = Path.GetDirectoryName(Path.GetFullPath(KeyFile));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var temp = KeyFile + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(pems, new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, KeyFile, overwrite: true);
    }
}
