using System.Security.Cryptography;
using System.Text;

namespace Depot.Emulator.Domain.Identity;

/// <summary>Tokens are kept only as SHA-256 hashes and compared in constant time.</summary>
public static class SecretHash
{
    public static byte[] Of(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(byte[] stored, string presented) =>
        CryptographicOperations.FixedTimeEquals(stored, Of(presented));

    public static string Key(byte[] hash) => Convert.ToHexString(hash);
}
