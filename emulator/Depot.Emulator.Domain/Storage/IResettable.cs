namespace Depot.Emulator.Domain.Storage;

/// <summary>A service holding state beside Depot's records (pending logins, bearers, the registry, caches) that a reset empties.</summary>
public interface IResettable
{
    void Reset();
}
