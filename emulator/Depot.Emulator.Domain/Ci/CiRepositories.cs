using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Domain.Ci;

/// <summary>
/// Repositories the seed maps to directories on this machine (<c>ci.repositories</c>), so that a dispatch can read
/// the workflow it names, as Depot reads it from GitHub.
/// </summary>
public sealed class CiRepositories
{
    private readonly Dictionary<string, string> _paths = new(StringComparer.OrdinalIgnoreCase);

    public void Map(string repo, string path)
    {
        if (!Directory.Exists(path))
        {
            throw DepotErrors.Invalid($"ci.repositories: {path} (for {repo}) is not a directory");
        }

        _paths[repo] = Path.GetFullPath(path);
    }

    /// <summary>The workflow file <paramref name="name"/> (a basename) of the repository, from <c>.depot/workflows</c> or <c>.github/workflows</c>.</summary>
    public (string Path, string Content) Workflow(string repo, string name)
    {
        if (name.Contains('/') || name.Contains('\\') || name.StartsWith('.'))
        {
            throw DepotErrors.Invalid($"workflow must be a file basename such as deploy.yml, not {name}");
        }

        if (!_paths.TryGetValue(repo, out var root))
        {
            throw DepotErrors.Precondition($"repository {repo} is not connected: the emulator reads dispatched workflows from the directory a seed maps to it (ci.repositories)");
        }

        foreach (var dir in new[] { ".depot/workflows", ".github/workflows" })
        {
            var file = Path.Combine(root, dir, name);
            if (File.Exists(file))
            {
                var info = new FileInfo(file);
                return info.Length > WorkflowParser.MaxContentBytes
                    ? throw DepotErrors.Invalid($"workflow {dir}/{name} is larger than {WorkflowParser.MaxContentBytes} bytes")
                    : ($"{dir}/{name}", File.ReadAllText(file));
            }
        }

        throw DepotErrors.NotFound("workflow", $"{name} in {repo}");
    }
}
