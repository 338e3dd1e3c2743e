using Depot.Emulator.Domain.Errors;
using System.Globalization;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Domain.Time;

/// <summary>
/// The system clock plus an offset the control plane can move forward (to expire pull tokens, say). With a
/// settings store the offset is state too: a durable emulator restarts where its clock was.
/// </summary>
public sealed class EmulatorClock : TimeProvider
{
    /// <summary>
    /// The latest time the clock may show: well inside <see cref="DateTimeOffset.MaxValue"/>, so that adding any lifetime
    /// the emulator uses (tokens, builds, retention) still gives a time.
    /// </summary>
    public static readonly DateTimeOffset Latest = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

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

    /// <summary>Moves the clock forward; a move that is not a finite, non-negative number of seconds or that passes <see cref="Latest"/> changes nothing.</summary>
    public void Advance(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0)
        {
            throw DepotErrors.ClockOutOfRange.Raise(seconds, "the clock only moves forward, by a finite number of seconds");
        }

        var room = (Latest - GetUtcNow()).TotalSeconds;
        if (seconds > room)
        {
            throw DepotErrors.ClockOutOfRange.Raise(seconds, $"it may move at most {Math.Floor(room)} more seconds (to {Latest:yyyy-MM-dd})");
        }

        Advance(TimeSpan.FromSeconds(seconds));
    }

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero || by > Latest - GetUtcNow())
        {
            throw DepotErrors.ClockOutOfRange.Raise(by.TotalSeconds, $"the clock moves forward only, and not past {Latest:yyyy-MM-dd}");
        }

        lock (_lock)
        {
            var offset = Interlocked.Add(ref _offsetTicks, by.Ticks);
            _settings?.Set(SettingKeys.ClockOffset, offset.ToString(CultureInfo.InvariantCulture));
        }
    }
}
