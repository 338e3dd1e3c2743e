namespace Depot.Emulator.Domain.Errors;

/// <summary>A domain failure: one catalogue entry and the message it was raised with.</summary>
public sealed class DepotException(DepotErrorCode code, string message) : Exception(message)
{
    public DepotErrorCode Code { get; } = code;

    public DepotErrorKind Kind => Code.Kind;
}
