namespace Depot.Emulator.Connect;

/// <summary>An error that reaches the client as a Connect error object.</summary>
public sealed class ConnectException(ConnectCode code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ConnectCode Code { get; } = code;

    /// <summary>Sent as <c>Trailer-*</c> headers (unary) or end-of-stream metadata (streams).</summary>
    public Dictionary<string, string[]> Metadata { get; } = new(StringComparer.OrdinalIgnoreCase);
}
