using Microsoft.Extensions.Logging;

namespace Depot.Emulator.Connect.Internal;

internal static partial class ConnectLog
{
    [LoggerMessage(1, LogLevel.Error, "Handler for {Procedure} failed")]
    public static partial void HandlerFailed(ILogger logger, string procedure, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "No such procedure {Path}")]
    public static partial void Unimplemented(ILogger logger, string path);
}
