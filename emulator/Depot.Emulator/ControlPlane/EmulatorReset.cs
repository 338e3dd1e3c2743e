using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.ControlPlane;

/// <summary>A reset or a new seed: Depot's records change first, then every service holding state beside them is emptied.</summary>
public sealed class EmulatorReset(IEnumerable<IResettable> services)
{
    private readonly object _lock = new();

    public void Run(Action changeRecords)
    {
        lock (_lock)
        {
            changeRecords();
            foreach (var service in services)
            {
                service.Reset();
            }
        }
    }
}

/// <summary>Makes a reset also empty state kept by a component that knows nothing of resets (BuildKit's cache).</summary>
internal sealed class ResetAction(Action reset) : IResettable
{
    public void Reset() => reset();
}
