using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Depot.Emulator.BuildKit.Dockerfiles;

/// <summary>
/// Reads Dockerfile syntax as BuildKit's frontend does: parser directives, line continuations, comments,
/// heredocs, flags, stages. What it rejects it rejects with BuildKit's words.
/// </summary>
public static partial class DockerfileParser
{
    public static readonly IReadOnlySet<string> Keywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
        "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    };

    private static readonly HashSet<string> Flagged = ["FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"];

    private static readonly HashSet<string> HeredocCapable = ["RUN", "COPY", "ADD"];

    public static Dockerfile Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var escape = '\\';
        var first = 0;
        for (; first < lines.Length; first++)
        {
            var directive = Directive().Match(lines[first]);
            if (!directive.Success)
            {
                break;
            }

            if (directive.Groups[1].Value.Equals("escape", StringComparison.OrdinalIgnoreCase))
            {
                var value = directive.Groups[2].Value.Trim();
                escape = value is "`" or "\\" ? value[0]
                    : throw new DockerfileParseException($"invalid escape token '{value}' does not match ` or \\");
            }
        }

        var instructions = new List<Instruction>();
        for (var i = first; i < lines.Length; i++)
        {
            var line = lines[i];
            if (IsBlankOrComment(line))
            {
                continue;
            }

            var start = i;
            var logical = new StringBuilder();
            var original = new StringBuilder();
            while (true)
            {
                var trimmed = line.TrimEnd();
                original.Append(line).Append('\n');
                if (trimmed.Length > 0 && trimmed[^1] == escape)
                {
                    logical.Append(trimmed, 0, trimmed.Length - 1);
                    do
                    {
                        i++;
                    }
                    while (i < lines.Length && IsBlankOrComment(lines[i]));

                    if (i >= lines.Length)
                    {
                        break;
                    }

                    line = lines[i];
                    continue;
                }

                logical.Append(line);
                break;
            }

            var instruction = Split(logical.ToString().Trim(), start + 1, original.ToString().TrimEnd('\n'));
            if (HeredocCapable.Contains(instruction.Keyword))
            {
                foreach (Match heredoc in Heredoc().Matches(instruction.Arguments))
                {
                    var word = heredoc.Groups["word"].Value;
                    var stripTabs = heredoc.Groups["dash"].Success;
                    var body = new StringBuilder();
                    for (i++; i < lines.Length && (stripTabs ? lines[i].TrimStart('\t') : lines[i]) != word; i++)
                    {
                        body.Append(lines[i]).Append('\n');
                    }

                    if (i >= lines.Length)
                    {
                        throw new DockerfileParseException($"dockerfile parse error on line {start + 1}: unterminated heredoc {word}");
                    }

                    instruction = instruction with { Original = instruction.Original + "\n" + body + word };
                }
            }

            instructions.Add(instruction);
        }

        return Assemble(instructions, escape);
    }

    private static Dockerfile Assemble(List<Instruction> instructions, char escape)
    {
        if (instructions.Count == 0)
        {
            throw new DockerfileParseException("the Dockerfile cannot be empty");
        }

        var globalArgs = new List<Instruction>();
        var stages = new List<Stage>();
        Instruction? from = null;
        List<Instruction> body = [];
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                if (from is not null)
                {
                    stages.Add(NewStage(stages, from, body));
                }

                from = instruction;
                body = [];
            }
            else if (from is null)
            {
                if (instruction.Keyword != "ARG")
                {
                    throw new DockerfileParseException($"dockerfile parse error on line {instruction.Line}: no build stage in current context");
                }

                globalArgs.Add(instruction);
            }
            else
            {
                body.Add(instruction);
            }
        }

        if (from is null)
        {
            throw new DockerfileParseException("dockerfile parse error: no build stage in current context");
        }

        stages.Add(NewStage(stages, from, body));
        return new Dockerfile(globalArgs, stages, escape);
    }

    private static Stage NewStage(List<Stage> stages, Instruction from, List<Instruction> body)
    {
        var words = from.Words;
        if (words.Count != 1 && !(words.Count == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase)))
        {
            throw new DockerfileParseException($"dockerfile parse error on line {from.Line}: FROM requires either one or three arguments");
        }

        var name = words.Count == 3 ? words[2].ToLowerInvariant() : null;
        if (name is not null && stages.Any(s => s.Name == name))
        {
            throw new DockerfileParseException($"dockerfile parse error on line {from.Line}: duplicate stage name \"{name}\"");
        }

        return new Stage(stages.Count, name, words[0], from.Flag("platform"), from, body);
    }

    private static Instruction Split(string text, int line, string original)
    {
        var space = text.IndexOfAny([' ', '\t']);
        var keyword = (space < 0 ? text : text[..space]).ToUpperInvariant();
        var rest = space < 0 ? "" : text[(space + 1)..].TrimStart();
        if (!Keywords.Contains(keyword))
        {
            throw new DockerfileParseException($"dockerfile parse error on line {line}: unknown instruction: {text.Split(' ')[0]}");
        }

        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Flagged.Contains(keyword))
        {
            while (rest.StartsWith("--", StringComparison.Ordinal))
            {
                var end = rest.IndexOfAny([' ', '\t']);
                var flag = end < 0 ? rest[2..] : rest[2..end];
                rest = end < 0 ? "" : rest[(end + 1)..].TrimStart();
                var eq = flag.IndexOf('=');
                var flagName = eq < 0 ? flag : flag[..eq];
                var value = eq < 0 ? "" : flag[(eq + 1)..];
                // Repeated flags (several --mount) keep every value.
                flags[flagName] = flags.TryGetValue(flagName, out var earlier) ? earlier + "\n" + value : value;
            }
        }

        return new Instruction(keyword, flags, rest, line, original);
    }

    /// <summary>The words of the JSON-array form, or null when the text is in shell form.</summary>
    public static List<string>? JsonWords(string arguments)
    {
        var trimmed = arguments.Trim();
        if (!trimmed.StartsWith('[') || !trimmed.EndsWith(']'))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<List<string>>(trimmed);
        }
        catch (JsonException)
        {
            // Not JSON after all: BuildKit then treats it as shell form.
            return null;
        }
    }

    /// <summary>JSON-array form, or whitespace-separated words with quotes honoured.</summary>
    public static IReadOnlyList<string> SplitWords(string arguments)
    {
        var trimmed = arguments.Trim();
        if (JsonWords(trimmed) is { } json)
        {
            return json;
        }

        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in trimmed)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    /// <summary>Expands <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-default}</c> and <c>${VAR:+alternative}</c>.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> variables) =>
        Variable().Replace(text, m =>
        {
            var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value;
            var has = variables.TryGetValue(name, out var value);
            return m.Groups["op"].Value switch
            {
                ":-" => has && value!.Length > 0 ? value : m.Groups["word"].Value,
                "-" => has ? value! : m.Groups["word"].Value,
                ":+" => has && value!.Length > 0 ? m.Groups["word"].Value : "",
                "+" => has ? m.Groups["word"].Value : "",
                _ => has ? value! : "",
            };
        });

    private static bool IsBlankOrComment(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.Length == 0 || trimmed[0] == '#';
    }

    [GeneratedRegex(@"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")]
    private static partial Regex Directive();

    [GeneratedRegex(@"<<(?<dash>-)?[""']?(?<word>[A-Za-z_][A-Za-z0-9_]*)[""']?")]
    private static partial Regex Heredoc();

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-+])(?<word>[^}]*))?\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Variable();
}
