using System.Text.RegularExpressions;

namespace Depot.Emulator.Domain.Registry;

/// <summary>The distribution spec's grammar for repository names and tags.</summary>
public static partial class RegistryNames
{
    public const int MaxNameLength = 255;

    public static bool IsValidName(string name) => name.Length <= MaxNameLength && NamePattern().IsMatch(name);

    public static bool IsValidTag(string tag) => TagPattern().IsMatch(tag);

    public static void RequireName(string name)
    {
        if (!IsValidName(name))
        {
            throw new RegistryException(RegistryErrors.NameInvalid,
                $"\"{name}\" is not a repository name (lower-case components of [a-z0-9] joined by . _ __ or -, separated by /)");
        }
    }

    public static void RequireTag(string tag)
    {
        if (!IsValidTag(tag))
        {
            throw new RegistryException(RegistryErrors.ManifestInvalid, $"\"{tag}\" is neither a tag nor a digest");
        }
    }

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();
}
