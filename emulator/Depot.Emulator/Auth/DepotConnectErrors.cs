using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Auth;

/// <summary>The Connect surface of the error catalogue: an entry's kind is named as its Connect code.</summary>
internal static class DepotConnectErrors
{
    public static ConnectCode CodeOf(DepotErrorKind kind) =>
        ConnectCodes.TryParse(DepotErrorKinds.Name(kind), out var code) ? code
        : throw new InvalidOperationException($"{kind} has no Connect code");

    public static ConnectException? Map(Exception e) =>
        e is DepotException depot ? new ConnectException(CodeOf(depot.Kind), depot.Message, depot) : null;
}
