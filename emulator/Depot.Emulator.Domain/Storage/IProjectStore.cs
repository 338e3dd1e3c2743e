using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Storage;

public interface IProjectStore
{
    Project? Find(string id);

    /// <summary>Oldest first, then by id.</summary>
    IReadOnlyList<Project> All();

    /// <summary>Adds the project; false when one with its id exists.</summary>
    bool Add(Project project);

    /// <summary>Replaces the project with the same id; false when there is none.</summary>
    bool Update(Project project);

    bool Delete(string id);

    void Clear();
}
