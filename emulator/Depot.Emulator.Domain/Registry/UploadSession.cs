using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;

namespace Depot.Emulator.Domain.Registry;

/// <summary>
/// One blob upload in progress. Chunks are streamed to its temporary file and hashed on the way, so a blob of any size
/// passes through a few pooled buffers and is never held in memory.
/// </summary>
public sealed class UploadSession : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Null once a failed chunk was rolled back: the digest is then computed from the file at the end.
    private IncrementalHash? _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    internal UploadSession(string id, string repository, string path, DateTimeOffset now)
    {
        Id = id;
        Repository = repository;
        FilePath = path;
        StartedAt = TouchedAt = now;
    }

    public string Id { get; }

    public string Repository { get; }

    public string FilePath { get; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset TouchedAt { get; internal set; }

    /// <summary>Bytes received so far.</summary>
    public long Offset { get; private set; }

    internal bool Closed { get; set; }

    /// <summary>Appends the whole body; on any failure the file is cut back to where the chunk began.</summary>
    internal async Task AppendAsync(PipeReader body, long? expectedStart, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Closed)
            {
                throw new RegistryException(RegistryErrors.BlobUploadUnknown, $"upload {Id} is finished");
            }

            if (expectedStart is { } start && start != Offset)
            {
                throw new RegistryException(RegistryErrors.BlobUploadOutOfOrder, $"the chunk starts at {start}; the upload is at {Offset}");
            }

            using var file = File.OpenHandle(FilePath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
            var offset = Offset;
            var segments = new List<ReadOnlyMemory<byte>>(32);
            try
            {
                while (true)
                {
                    var read = await body.ReadAsync(cancellationToken);
                    var buffer = read.Buffer;
                    if (!buffer.IsEmpty)
                    {
                        segments.Clear();
                        foreach (var segment in buffer)
                        {
                            _sha256?.AppendData(segment.Span);
                            segments.Add(segment);
                        }

                        // One gathered write per read, straight from Kestrel's buffers; a page-cache write does not block for long.
                        RandomAccess.Write(file, segments, offset);
                        offset += buffer.Length;
                    }

                    body.AdvanceTo(buffer.End);
                    if (read.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch
            {
                RandomAccess.SetLength(file, Offset);
                _sha256?.Dispose();
                _sha256 = null;
                throw;
            }

            Offset = offset;
        }
        catch (Exception e) when (Dropped(e))
        {
            throw DroppedError();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The digest of everything received, in the algorithm the client named.</summary>
    internal async Task<Digest> DigestAsync(string algorithm, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (algorithm == "sha256" && _sha256 is not null)
            {
                return new Digest("sha256", Convert.ToHexStringLower(_sha256.GetCurrentHash()));
            }

            using var hash = IncrementalHash.CreateHash(algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
            if (File.Exists(FilePath))
            {
                await using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    int n;
                    while ((n = await file.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            return new Digest(algorithm, Convert.ToHexStringLower(hash.GetCurrentHash()));
        }
        catch (Exception e) when (Dropped(e))
        {
            throw DroppedError();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes sure the file exists, for a blob of zero bytes.</summary>
    internal void Touch()
    {
        try
        {
            using var _ = File.Open(FilePath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        }
        catch (Exception e) when (Dropped(e))
        {
            throw DroppedError();
        }
    }

    /// <summary>
    /// A failure because the upload was dropped under it (a reset emptied the registry mid-chunk): the client's upload
    /// is unknown now, which it is told, rather than an internal error.
    /// </summary>
    internal bool Dropped(Exception e) => Closed && e is not RegistryException and not OperationCanceledException;

    internal RegistryException DroppedError() =>
        new(RegistryErrors.BlobUploadUnknown, $"upload {Id} was dropped (the registry was reset or the upload timed out)");

    /// <summary>Closes the upload and deletes its file; a chunk still arriving fails as <see cref="DroppedError"/>. The hash is left to the collector, as a chunk may still be feeding it.</summary>
    public void Dispose()
    {
        Closed = true;
        try
        {
            File.Delete(FilePath);
        }
        catch (IOException)
        {
            // Deleted by the commit's rename, or gone with the store.
        }
    }
}
