using Depot.Emulator.Domain.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Depot.Emulator.Domain.Ci;

/// <summary>
/// Reads GitHub Actions workflow syntax as far as the emulator runs it: jobs, <c>needs</c>, <c>strategy.matrix</c>
/// (with <c>include</c>/<c>exclude</c>), steps, <c>if:</c> and <c>workflow_dispatch</c> inputs.
/// </summary>
public static class WorkflowParser
{
    public const int MaxJobs = 256;
    public const int MaxSteps = 100;
    public const int MaxContentBytes = 512 * 1024;

    public static WorkflowDefinition Parse(string path, string content)
    {
        if (content.Length > MaxContentBytes)
        {
            throw Invalid(path, $"larger than {MaxContentBytes} bytes");
        }

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(content));
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode m
                ? m
                : throw Invalid(path, "is not one YAML mapping");
        }
        catch (YamlException e)
        {
            throw Invalid(path, $"is not valid YAML ({e.Start.Line}:{e.Start.Column}: {e.Message})");
        }

        var name = Scalar(root, "name") ?? (path.Length > 0 ? System.IO.Path.GetFileNameWithoutExtension(path) : "workflow");
        if (Child(root, "jobs") is not YamlMappingNode jobsNode || jobsNode.Children.Count == 0)
        {
            throw Invalid(path, "has no jobs");
        }

        var baseKeys = jobsNode.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        var expanded = new List<(string BaseKey, YamlMappingNode Node, List<Dictionary<string, string>> Combos)>();
        foreach (var (keyNode, value) in jobsNode.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            if (value is not YamlMappingNode job)
            {
                throw Invalid(path, $"job {key} is not a mapping");
            }

            expanded.Add((key, job, MatrixCombinations(path, key, job)));
        }

        var concrete = expanded.ToDictionary(e => e.BaseKey, e => e.Combos.Select(c => ConcreteKey(e.BaseKey, c)).ToList());
        var jobs = new List<JobDefinition>();
        foreach (var (baseKey, node, combos) in expanded)
        {
            var needs = Sequence(node, "needs");
            foreach (var need in needs)
            {
                if (!baseKeys.Contains(need))
                {
                    throw Invalid(path, $"job {baseKey} needs {need}, which the workflow does not define");
                }
            }

            foreach (var combo in combos)
            {
                var key = ConcreteKey(baseKey, combo);
                var display = Scalar(node, "name") is { } n ? Expressions.Substitute(n, new ExpressionContext { Matrix = combo }) : key;
                jobs.Add(new JobDefinition(key, baseKey, display, needs.SelectMany(d => concrete[d]).ToList(), Scalar(node, "if"),
                    combo, Map(node, "env"), Steps(path, key, node)));
                if (jobs.Count > MaxJobs)
                {
                    throw Invalid(path, $"expands to more than {MaxJobs} jobs");
                }
            }
        }

        CheckAcyclic(path, jobs);
        return new WorkflowDefinition(name, jobs, InputDefaults(root));
    }

    private static string ConcreteKey(string baseKey, Dictionary<string, string> combo) =>
        combo.Count == 0 ? baseKey : $"{baseKey} ({string.Join(", ", combo.Values)})";

    private static List<StepDefinition> Steps(string path, string jobKey, YamlMappingNode job)
    {
        if (Child(job, "steps") is not YamlSequenceNode steps || steps.Children.Count == 0)
        {
            throw Invalid(path, $"job {jobKey} has no steps");
        }

        if (steps.Children.Count > MaxSteps)
        {
            throw Invalid(path, $"job {jobKey} has more than {MaxSteps} steps");
        }

        var result = new List<StepDefinition>();
        foreach (var item in steps.Children)
        {
            if (item is not YamlMappingNode step)
            {
                throw Invalid(path, $"a step of job {jobKey} is not a mapping");
            }

            var run = Scalar(step, "run");
            var uses = Scalar(step, "uses");
            if ((run is null) == (uses is null))
            {
                throw Invalid(path, $"step {result.Count + 1} of job {jobKey} needs exactly one of run and uses");
            }

            var index = result.Count + 1;
            var name = Scalar(step, "name") ?? (run is not null ? "Run " + run.Split('\n')[0].Trim() : "Run " + uses);
            result.Add(new StepDefinition(index, Scalar(step, "id") ?? $"step-{index}", name, run, uses, Scalar(step, "if"),
                Map(step, "env"), Map(step, "with")));
        }

        return result;
    }

    private static List<Dictionary<string, string>> MatrixCombinations(string path, string jobKey, YamlMappingNode job)
    {
        if (Child(job, "strategy") is not YamlMappingNode strategy || Child(strategy, "matrix") is not YamlMappingNode matrix)
        {
            return [[]];
        }

        var combos = new List<Dictionary<string, string>> { new() };
        var excludes = new List<Dictionary<string, string>>();
        var includes = new List<Dictionary<string, string>>();
        foreach (var (keyNode, value) in matrix.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            if (key is "include" or "exclude")
            {
                var list = key == "include" ? includes : excludes;
                foreach (var entry in (value as YamlSequenceNode)?.Children ?? throw Invalid(path, $"matrix {key} of job {jobKey} is not a list"))
                {
                    list.Add(entry is YamlMappingNode m ? m.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => (p.Value as YamlScalarNode)?.Value ?? "")
                        : throw Invalid(path, $"a matrix {key} entry of job {jobKey} is not a mapping"));
                }

                continue;
            }

            var values = (value as YamlSequenceNode)?.Children.Select(v => (v as YamlScalarNode)?.Value ?? "").ToList()
                ?? throw Invalid(path, $"matrix value {key} of job {jobKey} is not a list");
            combos = combos.SelectMany(c => values.Select(v => new Dictionary<string, string>(c) { [key] = v })).ToList();
            if (combos.Count > MaxJobs)
            {
                throw Invalid(path, $"the matrix of job {jobKey} has more than {MaxJobs} combinations");
            }
        }

        combos.RemoveAll(c => excludes.Any(e => e.All(p => c.TryGetValue(p.Key, out var v) && v == p.Value)));
        combos.AddRange(includes);
        return combos.Count == 0 ? throw Invalid(path, $"the matrix of job {jobKey} has no combinations") : combos;
    }

    private static void CheckAcyclic(string path, List<JobDefinition> jobs)
    {
        var byKey = jobs.ToDictionary(j => j.Key);
        var state = new Dictionary<string, int>();
        void Visit(JobDefinition job)
        {
            if (state.GetValueOrDefault(job.Key) == 2)
            {
                return;
            }

            if (state.GetValueOrDefault(job.Key) == 1)
            {
                throw Invalid(path, $"job {job.BaseKey} depends on itself through needs");
            }

            state[job.Key] = 1;
            foreach (var need in job.Needs)
            {
                Visit(byKey[need]);
            }

            state[job.Key] = 2;
        }

        jobs.ForEach(Visit);
    }

    private static Dictionary<string, string> InputDefaults(YamlMappingNode root)
    {
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(root, "on") is YamlMappingNode on && Child(on, "workflow_dispatch") is YamlMappingNode dispatch
            && Child(dispatch, "inputs") is YamlMappingNode inputs)
        {
            foreach (var (key, value) in inputs.Children)
            {
                defaults[((YamlScalarNode)key).Value!] = value is YamlMappingNode input ? Scalar(input, "default") ?? "" : "";
            }
        }

        return defaults;
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    private static List<string> Sequence(YamlMappingNode node, string key) => Child(node, key) switch
    {
        YamlScalarNode s when s.Value is { } v => [v],
        YamlSequenceNode seq => seq.Children.Select(c => (c as YamlScalarNode)?.Value ?? "").ToList(),
        _ => [],
    };

    private static Dictionary<string, string> Map(YamlMappingNode node, string key) =>
        Child(node, key) is YamlMappingNode map
            ? map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => (p.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static DepotException Invalid(string path, string problem) =>
        DepotErrors.Invalid(path.Length > 0 ? $"workflow {path} {problem}" : $"the workflow {problem}");
}
