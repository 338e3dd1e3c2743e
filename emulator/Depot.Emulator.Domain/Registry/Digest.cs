using System.Security.Cryptography;

namespace Depot.Emulator.Domain.Registry;

/// <summary>A content digest, <c>algorithm:hex</c>. Only the algorithms the OCI image spec registers are accepted.</summary>
public readonly record struct Digest(string Algorithm, string Hex)
{
    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        var colon = text?.IndexOf(':') ?? -1;
        if (colon <= 0)
        {
            return false;
        }

        var algorithm = text![..colon];
        var hex = text[(colon + 1)..];
        var length = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => -1,
        };
        if (hex.Length != length || !hex.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
        {
            return false;
        }

        digest = new Digest(algorithm, hex);
        return true;
    }

    public static Digest Parse(string? text) => TryParse(text, out var digest) ? digest
        : throw new RegistryException(RegistryErrors.DigestInvalid, $"\"{text}\" is not a sha256 or sha512 digest");

    public static Digest Of(ReadOnlySpan<byte> content) => new("sha256", Convert.ToHexStringLower(SHA256.HashData(content)));

    public HashAlgorithmName HashName => Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;

    public override string ToString() => $"{Algorithm}:{Hex}";
}
