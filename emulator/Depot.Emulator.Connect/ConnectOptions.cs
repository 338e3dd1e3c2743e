namespace Depot.Emulator.Connect;

public sealed class ConnectOptions
{
    /// <summary>Largest message accepted, before and after decompression (a unary body, or one stream envelope).</summary>
    public int MaxMessageBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Responses at least this large are gzip-compressed when the client accepts gzip.</summary>
    public int CompressMinBytes { get; set; } = 1024;

    /// <summary>Puts exception text into <c>internal</c> errors; off by default.</summary>
    public bool DetailedErrors { get; set; }

    /// <summary>Turns an application's own exceptions into Connect errors; return null for "not mine".</summary>
    public Func<Exception, ConnectException?>? ExceptionMapper { get; set; }
}
