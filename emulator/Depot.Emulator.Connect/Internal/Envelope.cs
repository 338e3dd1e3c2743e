using System.Buffers;
using System.Buffers.Binary;

namespace Depot.Emulator.Connect.Internal;

/// <summary>The 5-byte Connect stream envelope: flags, then a big-endian payload length.</summary>
internal static class Envelope
{
    public const byte Compressed = 0x01;
    public const byte EndStream = 0x02;
    public const int HeaderLength = 5;

    /// <summary>Reads one whole envelope; one that declares more than <paramref name="maxLength"/> is reported in <paramref name="oversized"/>.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxLength, out byte flags, out ReadOnlySequence<byte> payload,
        out uint? oversized)
    {
        flags = 0;
        payload = default;
        oversized = null;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxLength)
        {
            oversized = length;
            return false;
        }

        if (buffer.Length < HeaderLength + length)
        {
            return false;
        }

        flags = header[0];
        payload = buffer.Slice(HeaderLength, length);
        buffer = buffer.Slice(HeaderLength + length);
        return true;
    }

    public static byte[] Write(byte flags, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderLength + payload.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderLength));
        return frame;
    }
}
