using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Depot.Emulator.Cache;

/// <summary>
/// Signs the part-upload and download URLs CacheService hands out, as S3 presigns them on Depot: the path and an expiry
/// on the emulator's clock under a key made at start, so a URL works for an hour for whoever holds it and nothing else.
/// </summary>
internal sealed class CacheTickets(TimeProvider clock, PublicUrls urls)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string UploadPart(HttpContext http, string uploadId, int part) => Sign(http, $"/cache/v1/uploads/{uploadId}/parts/{part}");

    public string Download(HttpContext http, string digestHex) => Sign(http, $"/cache/v1/blobs/{digestHex}");

    /// <summary>Whether the request carries a valid, unexpired signature for its own path.</summary>
    public bool Verify(HttpRequest request)
    {
        if (!long.TryParse(request.Query["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) ||
            DateTimeOffset.FromUnixTimeSeconds(Math.Min(expires, 253402300799)) <= clock.GetUtcNow())
        {
            return false;
        }

        var expected = Signature(request.Path.Value ?? "", expires);
        var given = request.Query["signature"].ToString();
        return given.Length == expected.Length &&
               CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(expected));
    }

    private string Sign(HttpContext http, string path)
    {
        var expires = (clock.GetUtcNow() + Lifetime).ToUnixTimeSeconds();
        return $"{urls.Base(http)}{path}?expires={expires}&signature={Signature(path, expires)}";
    }

    private string Signature(string path, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{path}\n{expires}")));
}
