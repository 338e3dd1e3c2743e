using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Authorization;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Auth;

/// <summary>The single authorization step every Connect call passes: authenticate, then ask the matrix.</summary>
internal sealed class MatrixAuthorizationInterceptor(
    DepotState state, Authenticator authenticator, PermissionMatrix matrix, EmulatorOptions options,
    ILogger<MatrixAuthorizationInterceptor> logger) : IConnectInterceptor
{
    public async ValueTask OnCallAsync(ConnectCallContext context)
    {
        var operation = matrix.Operation(context.Procedure);
        var access = await RequestAccess.BeginAsync(state, authenticator, matrix, operation, options.Enforcement,
            Bearer.From(context.RequestHeader("Authorization")), context.CancellationToken);
        context.HttpContext.Features.Set(new DepotAccessFeature(access));
        foreach (var denial in access.WouldDeny)
        {
            AuthLog.WouldDeny(logger, operation.Name, denial);
        }

        if (access.Denial is { } refusal)
        {
            AuthLog.Denied(logger, operation.Name, refusal.Message);
            throw refusal;
        }
    }
}

internal static class Bearer
{
    public static string? From(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }
}

internal static partial class AuthLog
{
    [LoggerMessage(1, LogLevel.Information, "Denied {Operation}: {Reason}")]
    public static partial void Denied(ILogger logger, string operation, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Would deny {Operation} (soft enforcement): {Reason}")]
    public static partial void WouldDeny(ILogger logger, string operation, string reason);
}
