using Depot.Emulator.Domain.Builds;

namespace Depot.Emulator.Domain.Storage;

/// <summary>Builds with what they read (Dockerfiles), what they pushed, and which builders were asked for.</summary>
public interface IBuildStore
{
    Build? Find(string id);

    /// <summary>Every build, in no particular order.</summary>
    IReadOnlyList<Build> All();

    Build? FindShared(string shareId);

    /// <summary>Adds the build; false when one with its id exists.</summary>
    bool Add(Build build);

    /// <summary>Replaces the build with the same id; false when there is none.</summary>
    bool Update(Build build);

    /// <summary>Removes a project's builds with their Dockerfiles, pushes and builders.</summary>
    void DeleteProject(string projectId);

    /// <summary>In the order they were added.</summary>
    IReadOnlyList<BuildDockerfile> Dockerfiles(string buildId);

    void AddDockerfile(string buildId, BuildDockerfile dockerfile);

    void ReplaceDockerfiles(string buildId, IReadOnlyList<BuildDockerfile> dockerfiles);

    BuildPush? FindPush(string id);

    /// <summary>Adds the push or replaces the one with its id.</summary>
    void PutPush(BuildPush push);

    /// <summary>Oldest first.</summary>
    IReadOnlyList<BuildPush> Pushes(string buildId);

    /// <summary>Records that a build's builder for <paramref name="platform"/> was asked for; false when it already was.</summary>
    bool MarkBuilderAsked(string buildId, string platform);

    bool ForgetBuilder(string buildId, string platform);

    void Clear();
}
