using Depot.Emulator.Domain.Builds;

namespace Depot.Emulator.Domain.Storage.Memory;

public sealed class MemoryBuildStore : IBuildStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Build> _builds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<BuildDockerfile>> _dockerfiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BuildPush> _pushes = new(StringComparer.Ordinal);
    private readonly HashSet<(string Build, string Platform)> _askedBuilders = [];

    public Build? Find(string id)
    {
        lock (_lock)
        {
            return _builds.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<Build> All()
    {
        lock (_lock)
        {
            return _builds.Values.ToList();
        }
    }

    public Build? FindShared(string shareId)
    {
        lock (_lock)
        {
            return _builds.Values.FirstOrDefault(b => b.ShareId == shareId);
        }
    }

    public bool Add(Build build)
    {
        lock (_lock)
        {
            return _builds.TryAdd(build.Id, build);
        }
    }

    public bool Update(Build build)
    {
        lock (_lock)
        {
            if (!_builds.ContainsKey(build.Id))
            {
                return false;
            }

            _builds[build.Id] = build;
            return true;
        }
    }

    public void DeleteProject(string projectId)
    {
        lock (_lock)
        {
            foreach (var build in _builds.Values.Where(b => b.ProjectId == projectId).ToList())
            {
                _builds.Remove(build.Id);
                _dockerfiles.Remove(build.Id);
                foreach (var push in _pushes.Values.Where(p => p.BuildId == build.Id).ToList())
                {
                    _pushes.Remove(push.Id);
                }

                _askedBuilders.RemoveWhere(b => b.Build == build.Id);
            }
        }
    }

    public IReadOnlyList<BuildDockerfile> Dockerfiles(string buildId)
    {
        lock (_lock)
        {
            return _dockerfiles.GetValueOrDefault(buildId)?.ToList() ?? [];
        }
    }

    public void AddDockerfile(string buildId, BuildDockerfile dockerfile)
    {
        lock (_lock)
        {
            if (!_dockerfiles.TryGetValue(buildId, out var list))
            {
                _dockerfiles[buildId] = list = [];
            }

            list.Add(dockerfile);
        }
    }

    public void ReplaceDockerfiles(string buildId, IReadOnlyList<BuildDockerfile> dockerfiles)
    {
        lock (_lock)
        {
            _dockerfiles[buildId] = dockerfiles.ToList();
        }
    }

    public BuildPush? FindPush(string id)
    {
        lock (_lock)
        {
            return _pushes.GetValueOrDefault(id);
        }
    }

    public void PutPush(BuildPush push)
    {
        lock (_lock)
        {
            _pushes[push.Id] = push;
        }
    }

    public IReadOnlyList<BuildPush> Pushes(string buildId)
    {
        lock (_lock)
        {
            return _pushes.Values.Where(p => p.BuildId == buildId).OrderBy(p => p.StartedAt).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        }
    }

    public bool MarkBuilderAsked(string buildId, string platform)
    {
        lock (_lock)
        {
            return _askedBuilders.Add((buildId, platform));
        }
    }

    public bool ForgetBuilder(string buildId, string platform)
    {
        lock (_lock)
        {
            return _askedBuilders.Remove((buildId, platform));
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _builds.Clear();
            _dockerfiles.Clear();
            _pushes.Clear();
            _askedBuilders.Clear();
        }
    }
}
