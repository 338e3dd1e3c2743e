namespace Depot.Emulator.BuildKit.Dockerfiles;

/// <summary>One Dockerfile instruction: its keyword, its flags (<c>--from=…</c>) and the rest of its text.</summary>
public sealed record Instruction(string Keyword, IReadOnlyDictionary<string, string> Flags, string Arguments, int Line, string Original)
{
    /// <summary>The words of a JSON-array form (<c>["a","b"]</c>) or of the shell form, split on whitespace.</summary>
    public IReadOnlyList<string> Words => DockerfileParser.SplitWords(Arguments);

    public bool IsJsonForm => Arguments.TrimStart().StartsWith('[');

    public string? Flag(string name) => Flags.GetValueOrDefault(name);
}

/// <summary>A stage: from <c>FROM</c> to the next <c>FROM</c>.</summary>
public sealed record Stage(int Index, string? Name, string BaseImage, string? Platform, Instruction From, IReadOnlyList<Instruction> Instructions)
{
    public string DisplayName => Name ?? $"stage-{Index}";
}

/// <summary>A parsed Dockerfile: global <c>ARG</c>s before the first stage, then its stages.</summary>
public sealed record Dockerfile(IReadOnlyList<Instruction> GlobalArgs, IReadOnlyList<Stage> Stages, char Escape);
