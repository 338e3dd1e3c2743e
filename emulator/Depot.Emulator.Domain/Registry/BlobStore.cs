namespace Depot.Emulator.Domain.Registry;

/// <summary>
/// Content-addressed bytes on disk: <c>blobs/&lt;algorithm&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c>, written as a temporary file under
/// <c>uploads/</c> and renamed into place once its digest is verified, so a blob is either whole or absent.
/// </summary>
public sealed class BlobStore : IDisposable
{
    private readonly string _blobs;
    private readonly string _uploads;
    private readonly bool _ephemeral;

    /// <param name="durable">Flush every committed blob to disk before it is acknowledged.</param>
    /// <param name="ephemeral">Delete <paramref name="root"/> on dispose.</param>
    public BlobStore(string root, bool durable, bool ephemeral)
    {
        Root = root;
        Durable = durable;
        _ephemeral = ephemeral;
        _blobs = Path.Combine(root, "blobs");
        _uploads = Path.Combine(root, "uploads");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_uploads);
        // Uploads are in-memory sessions; a file left from an earlier run belongs to none.
        foreach (var stale in Directory.EnumerateFiles(_uploads))
        {
            File.Delete(stale);
        }
    }

    public string Root { get; }

    public bool Durable { get; }

    public string PathOf(Digest digest) => Path.Combine(_blobs, digest.Algorithm, digest.Hex[..2], digest.Hex);

    public long? SizeOf(Digest digest)
    {
        var file = new FileInfo(PathOf(digest));
        return file.Exists ? file.Length : null;
    }

    public string NewUploadPath(string id) => Path.Combine(_uploads, id);

    /// <summary>Moves a verified upload into place; if the same content is already there, the upload is dropped.</summary>
    public void Commit(string uploadPath, Digest digest)
    {
        if (Durable)
        {
            using var file = new FileStream(uploadPath, FileMode.Open, FileAccess.ReadWrite);
            file.Flush(flushToDisk: true);
        }

        var target = PathOf(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            File.Move(uploadPath, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(uploadPath);
        }
    }

    /// <summary>Stores small content (a manifest) under its digest, through the same temp-and-rename path.</summary>
    public void Write(Digest digest, ReadOnlySpan<byte> content)
    {
        if (File.Exists(PathOf(digest)))
        {
            return;
        }

        var temp = NewUploadPath("manifest-" + Guid.NewGuid().ToString("N"));
        using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            file.Write(content);
        }

        Commit(temp, digest);
    }

    public byte[] Read(Digest digest) => File.ReadAllBytes(PathOf(digest));

    public bool Delete(Digest digest)
    {
        var path = PathOf(digest);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    public IEnumerable<Digest> All() =>
        Directory.EnumerateFiles(_blobs, "*", SearchOption.AllDirectories)
            .Select(path => Digest.TryParse($"{Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path)))}:{Path.GetFileName(path)}", out var d) ? d : (Digest?)null)
            .OfType<Digest>();

    public void Clear()
    {
        foreach (var digest in All().ToList())
        {
            Delete(digest);
        }
    }

    public void Dispose()
    {
        if (_ephemeral && Directory.Exists(Root))
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A blob still being served; the temp directory is the OS's to clean.
            }
        }
    }
}
