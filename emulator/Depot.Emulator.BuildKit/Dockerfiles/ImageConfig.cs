using System.Text.Json.Nodes;

namespace Depot.Emulator.BuildKit.Dockerfiles;

public sealed record HistoryEntry(string CreatedBy, bool EmptyLayer);

/// <summary>An image's configuration as the metadata instructions leave it (ENV, CMD, LABEL, EXPOSE, …).</summary>
public sealed class ImageConfig
{
    /// <summary>BuildKit gives images without a PATH this one.</summary>
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public string Os { get; private init; } = "linux";

    public string Architecture { get; private init; } = "amd64";

    public List<string> Env { get; private init; } = [];

    public List<string>? Cmd { get; set; }

    public List<string>? Entrypoint { get; set; }

    public string WorkingDir { get; set; } = "";

    public string User { get; set; } = "";

    public SortedDictionary<string, string> Labels { get; private init; } = new(StringComparer.Ordinal);

    public SortedSet<string> ExposedPorts { get; private init; } = new(StringComparer.Ordinal);

    public SortedSet<string> Volumes { get; private init; } = new(StringComparer.Ordinal);

    public string? StopSignal { get; set; }

    public List<string> Shell { get; set; } = ["/bin/sh", "-c"];

    public List<string> OnBuild { get; private init; } = [];

    public string? Author { get; set; }

    public List<HistoryEntry> History { get; private init; } = [];

    public static ImageConfig ForBase(PlanOptions options) => new()
    {
        Os = options.Os,
        Architecture = options.Architecture,
        Env = [DefaultPath],
    };

    public ImageConfig Clone() => new()
    {
        Os = Os,
        Architecture = Architecture,
        Env = [.. Env],
        Cmd = Cmd is null ? null : [.. Cmd],
        Entrypoint = Entrypoint is null ? null : [.. Entrypoint],
        WorkingDir = WorkingDir,
        User = User,
        Labels = new SortedDictionary<string, string>(Labels, StringComparer.Ordinal),
        ExposedPorts = new SortedSet<string>(ExposedPorts, StringComparer.Ordinal),
        Volumes = new SortedSet<string>(Volumes, StringComparer.Ordinal),
        StopSignal = StopSignal,
        Shell = [.. Shell],
        OnBuild = [.. OnBuild],
        Author = Author,
        History = [.. History],
    };

    /// <summary>Applies one metadata instruction; variables are expanded where Docker expands them.</summary>
    public void Apply(Instruction instruction, IReadOnlyDictionary<string, string> variables)
    {
        string Expand(string text) => DockerfileParser.Expand(text, variables);
        switch (instruction.Keyword)
        {
            case "ENV":
                foreach (var (key, value) in Pairs(instruction))
                {
                    Env.RemoveAll(e => e.StartsWith(key + "=", StringComparison.Ordinal));
                    Env.Add($"{key}={Expand(value)}");
                }

                break;
            case "LABEL":
                foreach (var (key, value) in Pairs(instruction))
                {
                    Labels[Expand(key)] = Expand(value);
                }

                break;
            case "CMD":
                Cmd = Command(instruction);
                break;
            case "ENTRYPOINT":
                Entrypoint = Command(instruction);
                break;
            case "EXPOSE":
                foreach (var port in instruction.Words.Select(Expand))
                {
                    ExposedPorts.Add(port.Contains('/') ? port : port + "/tcp");
                }

                break;
            case "VOLUME":
                foreach (var volume in instruction.Words.Select(Expand))
                {
                    Volumes.Add(volume);
                }

                break;
            case "USER":
                User = Expand(instruction.Arguments.Trim());
                break;
            case "STOPSIGNAL":
                StopSignal = Expand(instruction.Arguments.Trim());
                break;
            case "SHELL":
                Shell = [.. instruction.Words];
                break;
            case "ONBUILD":
                OnBuild.Add(instruction.Arguments.Trim());
                break;
            case "MAINTAINER":
                Author = instruction.Arguments.Trim();
                break;
        }

        if (instruction.Keyword is not ("ARG" or "HEALTHCHECK"))
        {
            History.Add(new HistoryEntry($"{instruction.Keyword} {instruction.Arguments}", true));
        }
    }

    /// <summary>The <c>config</c> object of an OCI image configuration.</summary>
    public JsonObject ToJson()
    {
        var config = new JsonObject
        {
            ["Env"] = new JsonArray([.. Env.Select(e => JsonValue.Create(e))]),
        };
        if (Entrypoint is not null)
        {
            config["Entrypoint"] = new JsonArray([.. Entrypoint.Select(e => JsonValue.Create(e))]);
        }

        if (Cmd is not null)
        {
            config["Cmd"] = new JsonArray([.. Cmd.Select(e => JsonValue.Create(e))]);
        }

        if (WorkingDir.Length > 0)
        {
            config["WorkingDir"] = WorkingDir;
        }

        if (User.Length > 0)
        {
            config["User"] = User;
        }

        if (Labels.Count > 0)
        {
            config["Labels"] = new JsonObject(Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(l.Value))));
        }

        if (ExposedPorts.Count > 0)
        {
            config["ExposedPorts"] = new JsonObject(ExposedPorts.Select(p => KeyValuePair.Create(p, (JsonNode?)new JsonObject())));
        }

        if (Volumes.Count > 0)
        {
            config["Volumes"] = new JsonObject(Volumes.Select(v => KeyValuePair.Create(v, (JsonNode?)new JsonObject())));
        }

        if (StopSignal is not null)
        {
            config["StopSignal"] = StopSignal;
        }

        if (OnBuild.Count > 0)
        {
            config["OnBuild"] = new JsonArray([.. OnBuild.Select(e => JsonValue.Create(e))]);
        }

        return config;
    }

    private List<string> Command(Instruction instruction) =>
        DockerfileParser.JsonWords(instruction.Arguments) is { } words ? words : [.. Shell, instruction.Arguments.Trim()];

    /// <summary><c>KEY=value KEY2="two words"</c>, or the older <c>KEY value with spaces</c>.</summary>
    private static IEnumerable<(string Key, string Value)> Pairs(Instruction instruction)
    {
        var words = instruction.Words;
        if (words.Count > 0 && !words[0].Contains('='))
        {
            var text = instruction.Arguments.Trim();
            var space = text.IndexOfAny([' ', '\t']);
            yield return space < 0 ? (text, "") : (text[..space], text[(space + 1)..].Trim());
            yield break;
        }

        foreach (var word in words)
        {
            var eq = word.IndexOf('=');
            yield return eq < 0 ? (word, "") : (word[..eq], word[(eq + 1)..]);
        }
    }
}
