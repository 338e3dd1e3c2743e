namespace Depot.Emulator.Connect;

public sealed class ConnectOptions
{
    /// <summary>Largest message accepted or produced, after decompression.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Responses at least this large are gzip-compressed when the client accepts gzip.</summary>
    public int CompressMinBytes { get; set; } = 1024;

    /// <summary>Puts exception text into <c>internal</c> errors; off by default.</summary>
    public bool DetailedErrors { get; set; }

    /// <summary>Turns an application's own exceptions into Connect errors; return null for "not mine".</summary>
    public Func<Exception, ConnectException?>? ExceptionMapper { get; set; }
}
