namespace Depot.Emulator.BuildKit.Dockerfiles;

/// <summary>A file or directory of a stage's filesystem, or of the build context.</summary>
public sealed record FsEntry(bool IsDirectory, byte[] Data, int Mode)
{
    public static FsEntry Directory(int mode = 0x1ED) => new(true, [], mode);

    public static FsEntry File(byte[] data, int mode = 0x1A4) => new(false, data, mode);
}

/// <summary>
/// The files a stage has: what its <c>COPY</c>, <c>ADD</c> and <c>WORKDIR</c> put there. <c>RUN</c> is
/// not executed, so it adds nothing. Paths are absolute and normalised, without a trailing slash.
/// </summary>
public sealed class VirtualFs
{
    private readonly SortedDictionary<string, FsEntry> _entries = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, FsEntry> Entries => _entries;

    public VirtualFs Clone()
    {
        var copy = new VirtualFs();
        foreach (var (path, entry) in _entries)
        {
            copy._entries[path] = entry;
        }

        return copy;
    }

    public FsEntry? Find(string path) => _entries.GetValueOrDefault(Normalize(path));

    public bool IsDirectory(string path) => Normalize(path) == "/" || Find(path)?.IsDirectory == true;

    public void MakeDirectories(string path)
    {
        var normalized = Normalize(path);
        if (normalized == "/")
        {
            return;
        }

        var parts = normalized.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "";
        foreach (var part in parts)
        {
            current += "/" + part;
            if (!_entries.TryGetValue(current, out var existing) || !existing.IsDirectory)
            {
                _entries[current] = FsEntry.Directory();
            }
        }
    }

    public void Put(string path, FsEntry entry)
    {
        var normalized = Normalize(path);
        MakeDirectories(Parent(normalized));
        if (entry.IsDirectory && _entries.TryGetValue(normalized, out var existing) && existing.IsDirectory)
        {
            return;
        }

        _entries[normalized] = entry;
    }

    /// <summary>Entries under <paramref name="directory"/>, with paths relative to it.</summary>
    public IEnumerable<(string Relative, FsEntry Entry)> Under(string directory)
    {
        var root = Normalize(directory);
        var prefix = root == "/" ? "/" : root + "/";
        foreach (var (path, entry) in _entries)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return (path[prefix.Length..], entry);
            }
        }
    }

    public static string Normalize(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }

    public static string Parent(string path)
    {
        var normalized = Normalize(path);
        var slash = normalized.LastIndexOf('/');
        return slash <= 0 ? "/" : normalized[..slash];
    }

    public static string Join(string directory, string path) =>
        path.StartsWith('/') ? Normalize(path) : Normalize(directory.TrimEnd('/') + "/" + path);
}
