namespace Depot.Emulator.Services.Ci;

/// <summary>
/// Live log streams can be dropped all at once from the control plane, as a network blip or a deploy drops them
/// on Depot, so clients' reconnects can be exercised.
/// </summary>
internal sealed class CiLogStreams
{
    private CancellationTokenSource _generation = new();

    /// <summary>How often a live stream looks for new lines.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public CancellationToken Current => Volatile.Read(ref _generation).Token;

    /// <summary>Ends every live stream with <c>unavailable</c>; returns how many generations have been dropped.</summary>
    public void DropAll()
    {
        var old = Interlocked.Exchange(ref _generation, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
    }
}
