using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Depot.Emulator.BuildKit.Dockerfiles;

/// <summary>What one step did: its vertex digest (the same inputs give the same digest), and its error if it failed.</summary>
public sealed record StepOutcome(PlannedStep Step, string Digest, string? Error, IReadOnlyList<string> Logs);

/// <summary>The target stage's files and image configuration once every step ran.</summary>
public sealed record StageImage(VirtualFs Files, ImageConfig Config);

public sealed record Interpretation(IReadOnlyList<StepOutcome> Steps, StageImage? Image)
{
    public string? Error => Steps.FirstOrDefault(s => s.Error is not null)?.Error;
}

/// <summary>
/// Runs a plan the way the emulator builds: metadata instructions shape the image configuration, <c>COPY</c>,
/// <c>ADD</c> and <c>WORKDIR</c> shape its files, and <c>RUN</c> is recorded, not executed. Deterministic: the
/// same Dockerfile, arguments and context give the same digests and the same image.
/// </summary>
public static class DockerfileInterpreter
{
    public const string NotRunLog = "(not run: the emulator records RUN steps without executing them)";

    /// <param name="failWith">Makes the last RUN step (or the last step, without one) fail with this message: a scripted failure.</param>
    public static Interpretation Execute(BuildPlan plan, VirtualFs context, string? failWith = null)
    {
        var globals = BuildPlan.GlobalArgs(plan.Dockerfile, plan.Options);
        var finished = new Dictionary<int, (VirtualFs Files, ImageConfig Config, string Digest)>();
        var outcomes = new List<StepOutcome>();
        var lastStep = plan.Steps.LastOrDefault(s => s.Instruction.Keyword == "RUN") ?? plan.Steps.LastOrDefault();
        foreach (var stage in plan.Stages)
        {
            var baseName = DockerfileParser.Expand(stage.BaseImage, globals);
            VirtualFs files;
            ImageConfig config;
            string digest;
            if (BuildPlan.StageNamed(plan.Dockerfile, baseName, stage.Index) is { } parent)
            {
                var (parentFiles, parentConfig, parentDigest) = finished[parent.Index];
                (files, config, digest) = (parentFiles.Clone(), parentConfig.Clone(), parentDigest);
            }
            else
            {
                files = new VirtualFs();
                config = ImageConfig.ForBase(plan.Options);
                digest = Digest("base\n" + (plan.ExternalBases.GetValueOrDefault(stage) ?? "scratch"));
                if (plan.ExternalBases.TryGetValue(stage, out var reference))
                {
                    var from = plan.Steps.First(s => s.Stage == stage && s.Instruction == stage.From);
                    var error = from == lastStep ? failWith : null;
                    outcomes.Add(new StepOutcome(from, digest, error, []));
                    if (error is not null)
                    {
                        return new Interpretation(outcomes, null);
                    }

                    config.History.Add(new HistoryEntry($"FROM {reference}", true));
                }
            }

            var variables = new Dictionary<string, string>(BuildPlan.PlatformArgs(plan.Options), StringComparer.Ordinal);
            foreach (var instruction in stage.Instructions)
            {
                var scope = Scope(config, variables);
                string? error = null;
                var logs = new List<string>();
                var inputs = "";
                switch (instruction.Keyword)
                {
                    case "ARG":
                        foreach (var (name, value) in BuildPlan.Declarations(instruction, scope))
                        {
                            variables[name] = plan.Options.BuildArgs.TryGetValue(name, out var given) ? given
                                : value ?? globals.GetValueOrDefault(name, "");
                        }

                        break;
                    case "RUN":
                        logs.Add(NotRunLog);
                        config.History.Add(new HistoryEntry("RUN " + instruction.Arguments, true));
                        break;
                    case "COPY" or "ADD":
                        (error, inputs) = Copy(plan, instruction, scope, context, files, config, finished, globals);
                        config.History.Add(new HistoryEntry($"{instruction.Keyword} {instruction.Arguments}", false));
                        break;
                    case "WORKDIR":
                        config.WorkingDir = VirtualFs.Join(config.WorkingDir.Length == 0 ? "/" : config.WorkingDir,
                            DockerfileParser.Expand(instruction.Arguments.Trim(), scope));
                        files.MakeDirectories(config.WorkingDir);
                        config.History.Add(new HistoryEntry("WORKDIR " + config.WorkingDir, false));
                        break;
                    default:
                        config.Apply(instruction, scope);
                        break;
                }

                digest = Digest($"{digest}\n{instruction.Original}\n{string.Join('\n', config.Env)}\n{inputs}");
                var step = plan.Steps.FirstOrDefault(s => s.Instruction == instruction);
                if (step is null)
                {
                    continue;
                }

                error ??= step == lastStep ? failWith : null;
                outcomes.Add(new StepOutcome(step, digest, error, logs));
                if (error is not null)
                {
                    return new Interpretation(outcomes, null);
                }
            }

            finished[stage.Index] = (files, config, digest);
        }

        var target = finished[plan.Target.Index];
        return new Interpretation(outcomes, new StageImage(target.Files, target.Config));
    }

    private static Dictionary<string, string> Scope(ImageConfig config, Dictionary<string, string> variables)
    {
        var scope = new Dictionary<string, string>(variables, StringComparer.Ordinal);
        foreach (var env in config.Env)
        {
            var eq = env.IndexOf('=');
            if (eq > 0)
            {
                scope[env[..eq]] = env[(eq + 1)..];
            }
        }

        return scope;
    }

    private static (string? Error, string Inputs) Copy(BuildPlan plan, Instruction instruction, Dictionary<string, string> scope,
        VirtualFs context, VirtualFs files, ImageConfig config,
        Dictionary<int, (VirtualFs Files, ImageConfig Config, string Digest)> finished, Dictionary<string, string> globals)
    {
        var words = instruction.Words.Select(w => DockerfileParser.Expand(w, scope)).ToList();
        if (instruction.Original.Contains("<<", StringComparison.Ordinal))
        {
            return ($"{instruction.Keyword} with a heredoc is not supported by the emulator", "");
        }

        if (words.Count < 2)
        {
            return ($"dockerfile parse error on line {instruction.Line}: {instruction.Keyword} requires at least two arguments, but only one was provided. Destination could not be determined", "");
        }

        VirtualFs source = context;
        if (instruction.Flag("from") is { } from)
        {
            var stage = BuildPlan.StageNamed(plan.Dockerfile, DockerfileParser.Expand(from, globals), int.MaxValue);
            if (stage is null || !finished.TryGetValue(stage.Index, out var built))
            {
                return ($"{instruction.Keyword} --from={from} needs an image the emulator cannot pull; only earlier stages can be copied from", "");
            }

            source = built.Files;
        }

        var destination = words[^1];
        var workdir = config.WorkingDir.Length == 0 ? "/" : config.WorkingDir;
        var target = VirtualFs.Join(workdir, destination);
        var sources = words.Take(words.Count - 1).ToList();
        var intoDirectory = destination.EndsWith('/') || sources.Count > 1 || files.IsDirectory(target);
        var hash = new StringBuilder();
        foreach (var pattern in sources)
        {
            if (instruction.Keyword == "ADD" && (pattern.StartsWith("http://", StringComparison.Ordinal) ||
                                                 pattern.StartsWith("https://", StringComparison.Ordinal) ||
                                                 pattern.StartsWith("git@", StringComparison.Ordinal)))
            {
                return ($"ADD {pattern}: the emulator works offline and fetches nothing", "");
            }

            var matches = Match(source, pattern).ToList();
            if (matches.Count == 0)
            {
                return ($"failed to compute cache key: failed to calculate checksum of ref {Digest(instruction.Original)[7..19]}: \"{VirtualFs.Normalize(pattern)}\": not found", "");
            }

            foreach (var match in matches)
            {
                var entry = match == "/" ? FsEntry.Directory() : source.Find(match)!;
                if (entry.IsDirectory)
                {
                    files.MakeDirectories(target);
                    foreach (var (relative, child) in source.Under(match))
                    {
                        files.Put(VirtualFs.Join(target, relative), child);
                        hash.Append(relative).Append(':').Append(Digest(child.Data)).Append('\n');
                    }
                }
                else
                {
                    var path = intoDirectory ? VirtualFs.Join(target, match[(match.LastIndexOf('/') + 1)..]) : target;
                    files.Put(path, entry);
                    hash.Append(path).Append(':').Append(Digest(entry.Data)).Append('\n');
                }
            }
        }

        return (null, hash.ToString());
    }

    /// <summary>Paths of <paramref name="fs"/> a COPY source names: a path, or a pattern with <c>*</c>, <c>?</c>.</summary>
    private static IEnumerable<string> Match(VirtualFs fs, string pattern)
    {
        var normalized = VirtualFs.Normalize(pattern);
        if (normalized == "/")
        {
            yield return "/";
            yield break;
        }

        if (normalized.IndexOfAny(['*', '?', '[']) < 0)
        {
            if (fs.Find(normalized) is not null)
            {
                yield return normalized;
            }

            yield break;
        }

        var depth = normalized.Count(c => c == '/');
        foreach (var path in fs.Entries.Keys)
        {
            if (path.Count(c => c == '/') == depth && System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(normalized, path, ignoreCase: false))
            {
                yield return path;
            }
        }
    }

    public static string Digest(string text) => Digest(Encoding.UTF8.GetBytes(text));

    public static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
}
