using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Auth;

/// <summary>How each domain error kind travels as a Connect code.</summary>
internal static class DepotConnectErrors
{
    private static readonly Dictionary<DepotErrorKind, ConnectCode> Codes = new()
    {
        [DepotErrorKind.InvalidArgument] = ConnectCode.InvalidArgument,
        [DepotErrorKind.NotFound] = ConnectCode.NotFound,
        [DepotErrorKind.AlreadyExists] = ConnectCode.AlreadyExists,
        [DepotErrorKind.Unauthenticated] = ConnectCode.Unauthenticated,
        [DepotErrorKind.PermissionDenied] = ConnectCode.PermissionDenied,
        [DepotErrorKind.FailedPrecondition] = ConnectCode.FailedPrecondition,
        [DepotErrorKind.DeadlineExceeded] = ConnectCode.DeadlineExceeded,
    };

    public static ConnectCode CodeOf(DepotErrorKind kind) => Codes[kind];

    public static ConnectException? Map(Exception e) =>
        e is DepotException depot ? new ConnectException(Codes[depot.Kind], depot.Message, depot) : null;
}
