namespace Depot.Emulator.BuildKit.Dockerfiles;

/// <summary>Image references in their full form, as BuildKit shows them: <c>alpine</c> is <c>docker.io/library/alpine:latest</c>.</summary>
public static class ImageReference
{
    public static string Normalize(string reference)
    {
        var (name, suffix) = SplitSuffix(reference);
        var slash = name.IndexOf('/');
        var first = slash < 0 ? "" : name[..slash];
        var hasRegistry = slash >= 0 && (first.Contains('.') || first.Contains(':') || first == "localhost");
        if (!hasRegistry)
        {
            name = "docker.io/" + (slash < 0 ? "library/" + name : name);
        }

        return name + (suffix.Length == 0 ? ":latest" : suffix);
    }

    /// <summary>The registry host of a full or short reference.</summary>
    public static string Host(string reference) => Normalize(reference).Split('/')[0];

    /// <summary>Splits <c>name:tag@digest</c> into the name and its <c>:tag</c> and/or <c>@digest</c>.</summary>
    public static (string Name, string Suffix) SplitSuffix(string reference)
    {
        var at = reference.IndexOf('@');
        var withoutDigest = at < 0 ? reference : reference[..at];
        var lastSlash = withoutDigest.LastIndexOf('/');
        var colon = withoutDigest.LastIndexOf(':');
        var tagStart = colon > lastSlash ? colon : -1;
        var nameEnd = tagStart >= 0 ? tagStart : withoutDigest.Length;
        return (reference[..nameEnd], reference[nameEnd..]);
    }
}
