namespace Depot.Emulator.BuildKit.Dockerfiles;

/// <summary>What a build asks of a Dockerfile: which file, which stage, which arguments, for which platform.</summary>
public sealed record PlanOptions(
    string Filename,
    string? Target,
    IReadOnlyDictionary<string, string> BuildArgs,
    string Os = "linux",
    string Architecture = "amd64");

/// <summary>A step BuildKit shows as a vertex: <c>FROM</c> an image, <c>RUN</c>, <c>COPY</c>, <c>ADD</c>, <c>WORKDIR</c>.</summary>
public sealed record PlannedStep(Stage Stage, Instruction Instruction, string Name);

/// <summary>
/// The stages a target needs and the steps they show, named as BuildKit's Dockerfile frontend names them
/// (<c>[2/3] RUN …</c>, <c>[builder 1/2] COPY …</c>).
/// </summary>
public sealed class BuildPlan
{
    private static readonly HashSet<string> StepKeywords = ["RUN", "COPY", "ADD", "WORKDIR"];

    private BuildPlan(Dockerfile dockerfile, PlanOptions options, IReadOnlyList<Stage> stages, Stage target,
        IReadOnlyDictionary<Stage, string> bases, IReadOnlyList<PlannedStep> steps)
    {
        Dockerfile = dockerfile;
        Options = options;
        Stages = stages;
        Target = target;
        ExternalBases = bases;
        Steps = steps;
    }

    public Dockerfile Dockerfile { get; }

    public PlanOptions Options { get; }

    /// <summary>The stages the target needs, in Dockerfile order.</summary>
    public IReadOnlyList<Stage> Stages { get; }

    public Stage Target { get; }

    /// <summary>Stages that start from an image rather than from another stage or scratch, with the image's full reference.</summary>
    public IReadOnlyDictionary<Stage, string> ExternalBases { get; }

    public IReadOnlyList<PlannedStep> Steps { get; }

    /// <summary>Whether a <c>COPY</c> or <c>ADD</c> reads the build context.</summary>
    public bool UsesContext => Steps.Any(s => s.Instruction.Keyword is "COPY" or "ADD" && s.Instruction.Flag("from") is null);

    public static BuildPlan Create(Dockerfile dockerfile, PlanOptions options)
    {
        var globals = GlobalArgs(dockerfile, options);
        var target = options.Target is { Length: > 0 } name
            ? dockerfile.Stages.FirstOrDefault(s => s.Name == name.ToLowerInvariant())
              ?? throw new DockerfileParseException($"target stage \"{name}\" could not be found")
            : dockerfile.Stages[^1];

        var needed = new SortedSet<int>();
        Need(dockerfile, target, globals, needed);
        var stages = needed.Select(i => dockerfile.Stages[i]).ToList();

        var bases = new Dictionary<Stage, string>();
        var steps = new List<PlannedStep>();
        var prefixed = dockerfile.Stages.Count > 1;
        foreach (var stage in stages)
        {
            var baseName = DockerfileParser.Expand(stage.BaseImage, globals);
            var fromImage = StageNamed(dockerfile, baseName, stage.Index) is null && baseName != "scratch";
            var own = stage.Instructions.Where(i => StepKeywords.Contains(i.Keyword)).ToList();
            var total = own.Count + (fromImage ? 1 : 0);
            var index = 0;
            var prefix = prefixed ? stage.DisplayName + " " : "";
            if (fromImage)
            {
                var reference = ImageReference.Normalize(baseName);
                bases[stage] = reference;
                steps.Add(new PlannedStep(stage, stage.From, $"[{prefix}{++index}/{total}] FROM {reference}"));
            }

            foreach (var instruction in own)
            {
                steps.Add(new PlannedStep(stage, instruction, $"[{prefix}{++index}/{total}] {instruction.Keyword} {Display(instruction)}"));
            }
        }

        return new BuildPlan(dockerfile, options, stages, target, bases, steps);
    }

    /// <summary>Global <c>ARG</c> values (before the first <c>FROM</c>) with build arguments applied, plus the platform arguments.</summary>
    public static Dictionary<string, string> GlobalArgs(Dockerfile dockerfile, PlanOptions options)
    {
        var values = PlatformArgs(options);
        foreach (var arg in dockerfile.GlobalArgs)
        {
            foreach (var (name, value) in Declarations(arg, values))
            {
                values[name] = options.BuildArgs.TryGetValue(name, out var given) ? given : value ?? "";
            }
        }

        return values;
    }

    public static Dictionary<string, string> PlatformArgs(PlanOptions options)
    {
        var platform = $"{options.Os}/{options.Architecture}";
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TARGETPLATFORM"] = platform,
            ["TARGETOS"] = options.Os,
            ["TARGETARCH"] = options.Architecture,
            ["TARGETVARIANT"] = "",
            ["BUILDPLATFORM"] = platform,
            ["BUILDOS"] = options.Os,
            ["BUILDARCH"] = options.Architecture,
            ["BUILDVARIANT"] = "",
        };
    }

    /// <summary>The names (and defaults) an <c>ARG</c> declares: <c>ARG A B=1</c>.</summary>
    public static IEnumerable<(string Name, string? Default)> Declarations(Instruction arg, IReadOnlyDictionary<string, string> variables)
    {
        foreach (var word in arg.Words)
        {
            var eq = word.IndexOf('=');
            yield return eq < 0 ? (word, null) : (word[..eq], DockerfileParser.Expand(word[(eq + 1)..], variables));
        }
    }

    public static Stage? StageNamed(Dockerfile dockerfile, string name, int before)
    {
        var lower = name.ToLowerInvariant();
        return dockerfile.Stages.FirstOrDefault(s => s.Index < before && (s.Name == lower || s.Index.ToString() == name));
    }

    private static void Need(Dockerfile dockerfile, Stage stage, Dictionary<string, string> globals, SortedSet<int> needed)
    {
        if (!needed.Add(stage.Index))
        {
            return;
        }

        if (StageNamed(dockerfile, DockerfileParser.Expand(stage.BaseImage, globals), stage.Index) is { } parent)
        {
            Need(dockerfile, parent, globals, needed);
        }

        foreach (var instruction in stage.Instructions)
        {
            var sources = new List<string?> { instruction.Keyword is "COPY" or "ADD" ? instruction.Flag("from") : null };
            if (instruction.Keyword == "RUN" && instruction.Flag("mount") is { } mounts)
            {
                sources.AddRange(mounts.Split('\n').SelectMany(m => m.Split(','))
                    .Where(p => p.StartsWith("from=", StringComparison.Ordinal)).Select(p => p[5..]));
            }

            foreach (var source in sources.OfType<string>())
            {
                if (StageNamed(dockerfile, source, stage.Index) is { } from)
                {
                    Need(dockerfile, from, globals, needed);
                }
            }
        }
    }

    /// <summary>The instruction's text as BuildKit shows it: flags kept, heredoc bodies left out.</summary>
    private static string Display(Instruction instruction)
    {
        var flags = string.Concat(instruction.Flags.SelectMany(f => f.Value.Split('\n').Select(v => v.Length == 0 ? $"--{f.Key} " : $"--{f.Key}={v} ")));
        return flags + instruction.Arguments;
    }
}
