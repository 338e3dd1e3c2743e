using System.Text;
using System.Text.RegularExpressions;

namespace Depot.Emulator.BuildKit.Dockerfiles;

/// <summary>
/// <c>.dockerignore</c> rules: Go-style globs (<c>*</c> stays within a path segment, <c>**</c> spans
/// segments), later rules win, <c>!</c> re-includes, and a rule that matches a directory covers what is in it.
/// </summary>
public sealed class IgnorePatterns
{
    private readonly List<(Regex Pattern, bool Negated)> _rules;

    private IgnorePatterns(List<(Regex, bool)> rules) => _rules = rules;

    public static IgnorePatterns None { get; } = new([]);

    public bool IsEmpty => _rules.Count == 0;

    public static IgnorePatterns Parse(string text)
    {
        var rules = new List<(Regex, bool)>();
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var negated = line.StartsWith('!');
            var pattern = VirtualFs.Normalize(negated ? line[1..].Trim() : line).TrimStart('/');
            if (pattern.Length > 0)
            {
                rules.Add((ToRegex(pattern), negated));
            }
        }

        return new IgnorePatterns(rules);
    }

    /// <summary>Whether a path (relative, slash-separated) is left out of the context.</summary>
    public bool Excludes(string path)
    {
        var excluded = false;
        var candidates = Ancestry(path.Trim('/')).ToList();
        foreach (var (pattern, negated) in _rules)
        {
            // A negation applies to the path itself; an exclusion also to any directory above it.
            if (negated ? pattern.IsMatch(candidates[^1]) : candidates.Any(pattern.IsMatch))
            {
                excluded = !negated;
            }
        }

        return excluded;
    }

    private static IEnumerable<string> Ancestry(string path)
    {
        var slash = -1;
        while ((slash = path.IndexOf('/', slash + 1)) >= 0)
        {
            yield return path[..slash];
        }

        yield return path;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                        regex.Append("(.*/)?");
                    }
                    else
                    {
                        regex.Append(".*");
                    }

                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    var set = pattern[(i + 1)..end];
                    regex.Append('[').Append(set.StartsWith('^') || set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = end;
                    break;
                case '\\' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
