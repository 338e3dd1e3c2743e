namespace Depot.Emulator.Domain.Errors;

/// <summary>
/// The kinds of failure the domain reports, named as Connect names them; the wire name and HTTP status of each are
/// declared once in <see cref="DepotErrorKinds"/>.
/// </summary>
public enum DepotErrorKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    Unauthenticated,
    PermissionDenied,
    FailedPrecondition,
    DeadlineExceeded,
    ResourceExhausted,
    Internal,
}

public static class DepotErrorKinds
{
    private static readonly Dictionary<DepotErrorKind, (string Name, int Status)> Table = new()
    {
        [DepotErrorKind.InvalidArgument] = ("invalid_argument", 400),
        [DepotErrorKind.NotFound] = ("not_found", 404),
        [DepotErrorKind.AlreadyExists] = ("already_exists", 409),
        [DepotErrorKind.Unauthenticated] = ("unauthenticated", 401),
        [DepotErrorKind.PermissionDenied] = ("permission_denied", 403),
        [DepotErrorKind.FailedPrecondition] = ("failed_precondition", 409),
        [DepotErrorKind.DeadlineExceeded] = ("deadline_exceeded", 504),
        [DepotErrorKind.ResourceExhausted] = ("resource_exhausted", 413),
        [DepotErrorKind.Internal] = ("internal", 500),
    };

    /// <summary>The Connect code name, also used by the control plane's <c>{"error":{"code"}}</c>.</summary>
    public static string Name(DepotErrorKind kind) => Table[kind].Name;

    /// <summary>The status the control plane answers with.</summary>
    public static int HttpStatus(DepotErrorKind kind) => Table[kind].Status;
}
