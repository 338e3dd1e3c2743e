namespace Depot.Emulator.OciRegistry;

internal static partial class RegistryLog
{
    [LoggerMessage(1, LogLevel.Information, "Registry {Method} {Path}: {Code} {Detail}")]
    public static partial void Refused(ILogger logger, string method, string path, string code, string? detail);

    [LoggerMessage(2, LogLevel.Warning, "Would deny {Operation} on {Repository} (soft enforcement): {Reason}")]
    public static partial void WouldDeny(ILogger logger, string operation, string? repository, string reason);

    [LoggerMessage(3, LogLevel.Error, "Registry {Method} {Path} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(4, LogLevel.Debug, "Registry token for {Token}: asked {Asked}, granted {Granted}")]
    public static partial void TokenIssued(ILogger logger, string token, string asked, string granted);
}
