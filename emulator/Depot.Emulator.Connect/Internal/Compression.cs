using System.IO.Compression;

namespace Depot.Emulator.Connect.Internal;

internal static class Compression
{
    public const string Gzip = "gzip";
    public const string Identity = "identity";

    public static bool IsSupported(string? encoding) =>
        string.IsNullOrEmpty(encoding) || encoding is Gzip or Identity;

    public static bool Accepts(string? acceptHeader) =>
        acceptHeader is not null && acceptHeader.Split(',').Any(e => e.Trim().Split(';')[0].Trim() == Gzip);

    public static byte[] Inflate(ReadOnlySpan<byte> compressed, int maxBytes)
    {
        using var input = new MemoryStream(compressed.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        try
        {
            while ((read = gzip.Read(chunk)) > 0)
            {
                output.Write(chunk, 0, read);
                if (output.Length > maxBytes)
                {
                    throw new ConnectException(ConnectCode.ResourceExhausted,
                        $"decompressed message exceeds the {maxBytes}-byte limit");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new ConnectException(ConnectCode.InvalidArgument, "body is not valid gzip: " + e.Message);
        }

        return output.ToArray();
    }

    public static byte[] Deflate(ReadOnlySpan<byte> payload)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(payload);
        }

        return output.ToArray();
    }
}
