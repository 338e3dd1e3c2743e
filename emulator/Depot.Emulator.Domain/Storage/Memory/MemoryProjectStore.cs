using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Storage.Memory;

public sealed class MemoryProjectStore : IProjectStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Project> _projects = new(StringComparer.Ordinal);

    public Project? Find(string id)
    {
        lock (_lock)
        {
            return _projects.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<Project> All()
    {
        lock (_lock)
        {
            return _projects.Values.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        }
    }

    public bool Add(Project project)
    {
        lock (_lock)
        {
            return _projects.TryAdd(project.Id, project);
        }
    }

    public bool Update(Project project)
    {
        lock (_lock)
        {
            if (!_projects.ContainsKey(project.Id))
            {
                return false;
            }

            _projects[project.Id] = project;
            return true;
        }
    }

    public bool Delete(string id)
    {
        lock (_lock)
        {
            return _projects.Remove(id);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _projects.Clear();
        }
    }
}
