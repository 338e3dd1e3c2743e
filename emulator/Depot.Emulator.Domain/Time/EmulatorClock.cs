using System.Globalization;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Domain.Time;

/// <summary>
/// The system clock plus an offset the control plane can move forward (to expire pull tokens, say). With a
/// settings store the offset is state too: a durable emulator restarts where its clock was.
/// </summary>
public sealed class EmulatorClock : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly ISettingsStore? _settings;
    private readonly object _lock = new();
    private long _offsetTicks;

    public EmulatorClock(TimeProvider inner, ISettingsStore? settings = null)
    {
        _inner = inner;
        _settings = settings;
        if (settings?.Get(SettingKeys.ClockOffset) is { } saved)
        {
            _offsetTicks = long.Parse(saved, CultureInfo.InvariantCulture);
        }
    }

    public EmulatorClock()
        : this(System)
    {
    }

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow() + Offset;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw Errors.DepotErrors.Invalid("the clock only moves forward");
        }

        lock (_lock)
        {
            var offset = Interlocked.Add(ref _offsetTicks, by.Ticks);
            _settings?.Set(SettingKeys.ClockOffset, offset.ToString(CultureInfo.InvariantCulture));
        }
    }
}
