using Microsoft.Extensions.Logging;

namespace Depot.Emulator.BuildKit;

internal static partial class BuildKitLog
{
    [LoggerMessage(1, LogLevel.Debug, "Solving {Ref} for build {BuildId}")]
    public static partial void Solving(ILogger logger, string @ref, string buildId);

    [LoggerMessage(2, LogLevel.Debug, "Session {SessionId} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string sessionId, string reason);
}
