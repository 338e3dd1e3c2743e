using System.Buffers;
using System.Security.Cryptography;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.Domain.Cache;

/// <summary>
/// The cache's only way to its bytes: content-addressed files of a <see cref="BlobStore"/>, written through a temporary
/// file hashed on the way so that an entry of any size passes through one pooled buffer and is never held in memory.
/// </summary>
public sealed class CacheBlobs : IDisposable
{
    private const int BufferSize = 128 * 1024;
    private readonly BlobStore _store;

    public CacheBlobs(string root) => _store = new BlobStore(root, durable: false, ephemeral: true);

    /// <summary>Streams <paramref name="source"/> to a temporary file; more than <paramref name="maxBytes"/> is refused and leaves nothing.</summary>
    public async Task<CachePart> WriteTemporaryAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        var path = _store.NewUploadPath("cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            var (digest, size) = await CopyHashedAsync([source], file, maxBytes, cancellationToken);
            return new CachePart(path, digest, size);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Stores the parts, in order, as one blob, and removes them.</summary>
    public async Task<(Digest Digest, long Size)> CommitAsync(IReadOnlyList<CachePart> parts, long maxBytes, CancellationToken cancellationToken)
    {
        if (parts.Count == 1)
        {
            _store.Commit(parts[0].Path, parts[0].Digest);
            return (parts[0].Digest, parts[0].Size);
        }

        var path = _store.NewUploadPath("cache-" + Guid.NewGuid().ToString("N"));
        var sources = parts.Select(p => (Stream)new FileStream(p.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous)).ToList();
        try
        {
            (Digest Digest, long Size) written;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                written = await CopyHashedAsync(sources, file, maxBytes, cancellationToken);
            }

            _store.Commit(path, written.Digest);
            return written;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        finally
        {
            foreach (var source in sources)
            {
                await source.DisposeAsync();
            }

            Discard(parts);
        }
    }

    public void Discard(IEnumerable<CachePart> parts)
    {
        foreach (var part in parts)
        {
            File.Delete(part.Path);
        }
    }

    public bool Exists(Digest digest) => _store.SizeOf(digest) is not null;

    public long? SizeOf(Digest digest) => _store.SizeOf(digest);

    public Stream OpenRead(Digest digest) =>
        new FileStream(_store.PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.Asynchronous);

    public bool Delete(Digest digest) => _store.Delete(digest);

    public IEnumerable<Digest> All() => _store.All();

    public void Clear() => _store.Clear();

    public void Dispose() => _store.Dispose();

    private static async Task<(Digest, long)> CopyHashedAsync(IEnumerable<Stream> sources, Stream target, long maxBytes, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long size = 0;
        try
        {
            foreach (var source in sources)
            {
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        throw DepotErrors.Invalid($"a cache entry may hold at most {maxBytes} bytes");
                    }

                    sha256.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (new Digest("sha256", Convert.ToHexStringLower(sha256.GetHashAndReset())), size);
    }
}

/// <summary>Bytes received but not yet an entry: a whole PUT body, or one part of a multipart upload.</summary>
public sealed record CachePart(string Path, Digest Digest, long Size);
