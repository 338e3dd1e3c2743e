namespace Depot.Emulator.Domain.Time;

/// <summary>The system clock plus an offset the control plane can move forward (to expire pull tokens, say).</summary>
public sealed class EmulatorClock(TimeProvider inner) : TimeProvider
{
    private long _offsetTicks;

    public EmulatorClock()
        : this(System)
    {
    }

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw Errors.DepotErrors.Invalid("the clock only moves forward");
        }

        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
