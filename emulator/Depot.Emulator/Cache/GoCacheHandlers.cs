using System.Buffers.Binary;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Cache;

/// <summary>
/// The REST protocol of <c>depot gocache</c>. An object travels as one byte N, the output ID as N lower-case hex
/// characters, its size as a little-endian uint32, then the object; the entry keeps that body as sent.
/// </summary>
internal static class GoCacheHandlers
{
    public static async Task Get(CacheRequest request)
    {
        var entry = request.Store.Hit(request.Organization, request.Route.EntryType, request.Key);
        if (entry is null)
        {
            await CacheResponses.MissAsync(request);
            return;
        }

        await CacheResponses.SendAsync(request.Http, request.Store, entry);
    }

    public static async Task Put(CacheRequest request)
    {
        var http = request.Http;
        var body = CacheResponses.Body(http, request.Store);
        var header = new byte[1 + 255 + 4];
        if (await ReadExactlyAsync(body, header.AsMemory(0, 1), http.RequestAborted) < 1)
        {
            throw DepotErrors.Invalid("the body is empty; it starts with the output ID's length");
        }

        var idLength = header[0];
        if (idLength < 2 || await ReadExactlyAsync(body, header.AsMemory(1, idLength + 4), http.RequestAborted) < idLength + 4)
        {
            throw DepotErrors.Invalid("the body is shorter than its output ID and size");
        }

        var outputId = System.Text.Encoding.ASCII.GetString(header, 1, idLength);
        if (!outputId.All(char.IsAsciiHexDigitLower) && !outputId.All(char.IsAsciiHexDigit))
        {
            throw DepotErrors.Invalid("the output ID is not hex");
        }

        var size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(1 + idLength, 4));
        var expected = 1L + idLength + 4 + size;
        if (http.Request.ContentLength is { } length && length != expected)
        {
            throw DepotErrors.Invalid($"Content-Length is {length}; the body's own header says {expected} bytes");
        }

        var whole = new ConcatenatedStream(header.AsMemory(0, 1 + idLength + 4), body);
        var entry = await request.Store.PutAsync(request.Organization, request.Route.EntryType, request.Key, whole, null, http.RequestAborted);
        if (entry.Size != expected)
        {
            request.Store.Delete(request.Organization, request.Route.EntryType, request.Key);
            throw DepotErrors.Invalid($"the body holds {entry.Size} bytes; its header says {expected}");
        }

        http.Response.StatusCode = StatusCodes.Status201Created;
    }

    private static async Task<int> ReadExactlyAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken) =>
        await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);

    /// <summary>The header already read, then the rest of the request body.</summary>
    private sealed class ConcatenatedStream(ReadOnlyMemory<byte> head, Stream tail) : Stream
    {
        private ReadOnlyMemory<byte> _head = head;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_head.IsEmpty)
            {
                return await tail.ReadAsync(buffer, cancellationToken);
            }

            var count = Math.Min(buffer.Length, _head.Length);
            _head[..count].CopyTo(buffer);
            _head = _head[count..];
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
