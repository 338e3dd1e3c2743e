using Depot.Emulator.Domain.Registry;
using static Depot.Emulator.Domain.Errors.DepotErrorKind;

namespace Depot.Emulator.Domain.Errors;

/// <summary>
/// The domain's error catalogue. Each entry is declared once with its kind, its OCI code and its wording; every surface
/// (Connect, the registry, the control plane) writes from the entry, none guesses. The general factories
/// (<see cref="Invalid"/>, <see cref="NotFound"/>, …) raise the general entries of their kind.
/// </summary>
public static class DepotErrors
{
    // General entries, one per kind: the message says what went wrong.
    public static readonly DepotErrorCode InvalidArgument = Register("invalid_argument", DepotErrorKind.InvalidArgument, RegistryErrors.NameInvalid, "{0}");
    public static readonly DepotErrorCode NotFoundError = Register("not_found", DepotErrorKind.NotFound, RegistryErrors.NameUnknown, "{0} {1} not found");
    public static readonly DepotErrorCode AlreadyExistsError = Register("already_exists", DepotErrorKind.AlreadyExists, RegistryErrors.Unsupported, "{0}");
    public static readonly DepotErrorCode UnauthenticatedError = Register("unauthenticated", DepotErrorKind.Unauthenticated, RegistryErrors.Unauthorized, "{0}");
    public static readonly DepotErrorCode PermissionDeniedError = Register("permission_denied", PermissionDenied, RegistryErrors.Denied, "{0}");
    public static readonly DepotErrorCode PreconditionFailed = Register("failed_precondition", FailedPrecondition, RegistryErrors.Unsupported, "{0}");
    public static readonly DepotErrorCode DeadlinePassed = Register("deadline_exceeded", DeadlineExceeded, RegistryErrors.Unavailable, "{0}");

    // Named entries.
    public static readonly DepotErrorCode ProjectNotFound = Register("project_not_found", DepotErrorKind.NotFound, RegistryErrors.NameUnknown, "project {0} not found");
    public static readonly DepotErrorCode ProjectUnnamed = Register("project_unnamed", DepotErrorKind.NotFound, RegistryErrors.NameUnknown, "project not found: name a project with --project, DEPOT_PROJECT_ID or depot.json");
    public static readonly DepotErrorCode BuildNotFound = Register("build_not_found", DepotErrorKind.NotFound, RegistryErrors.NameUnknown, "build {0} not found");
    public static readonly DepotErrorCode OrganizationNotFound = Register("organization_not_found", DepotErrorKind.NotFound, RegistryErrors.NameUnknown, "organization {0} not found");
    public static readonly DepotErrorCode ImageNotFound = Register("image_not_found", DepotErrorKind.NotFound, RegistryErrors.ManifestUnknown, "image {0} not found");
    public static readonly DepotErrorCode TokenMissing = Register("token_missing", DepotErrorKind.Unauthenticated, RegistryErrors.Unauthorized, "missing token: send Authorization: Bearer <token>");
    public static readonly DepotErrorCode TokenUnknown = Register("token_unknown", DepotErrorKind.Unauthenticated, RegistryErrors.Unauthorized, "unknown or revoked token");
    public static readonly DepotErrorCode TokenExpired = Register("token_expired", DepotErrorKind.Unauthenticated, RegistryErrors.Unauthorized, "{0} token {1} expired at {2}");
    public static readonly DepotErrorCode AuthorizationMalformed = Register("authorization_malformed", DepotErrorKind.Unauthenticated, RegistryErrors.Unauthorized, "{0}");
    public static readonly DepotErrorCode OutOfScope = Register("out_of_scope", PermissionDenied, RegistryErrors.Denied, "{0} token is scoped to {1}; it does not reach {2}");
    public static readonly DepotErrorCode PageTokenInvalid = Register("page_token_invalid", DepotErrorKind.InvalidArgument, RegistryErrors.PaginationNumberInvalid, "page_token is not one this server issued");
    public static readonly DepotErrorCode TimeOutOfRange = Register("time_out_of_range", DepotErrorKind.InvalidArgument, RegistryErrors.NameInvalid, "{0} is outside the range of time this server keeps (years 1 to 9999)");
    public static readonly DepotErrorCode ClockOutOfRange = Register("clock_out_of_range", DepotErrorKind.InvalidArgument, RegistryErrors.NameInvalid, "the clock cannot move by {0} seconds: {1}");
    public static readonly DepotErrorCode RequestTooLarge = Register("request_too_large", ResourceExhausted, RegistryErrors.TooLarge, "{0}");
    public static readonly DepotErrorCode InternalError = Register("internal", Internal, RegistryErrors.Unknown, "internal error in {0}");
    public static readonly DepotErrorCode ControlPlaneRefused = Register("control_plane_refused", PermissionDenied, RegistryErrors.Denied, "{0}");
    public static readonly DepotErrorCode ControlTokenRequired = Register("control_token_required", DepotErrorKind.Unauthenticated, RegistryErrors.Unauthorized, "the control plane needs the --control-token: send it as Authorization: Bearer <token> or X-Emulator-Token");
    public static readonly DepotErrorCode RouteUnknown = Register("route_unknown", DepotErrorKind.NotFound, RegistryErrors.Unsupported, "no control-plane endpoint {0} {1}");

    public static DepotException Invalid(string message) => InvalidArgument.Raise(message);

    public static DepotException Required(string field) => Invalid($"{field} is required");

    public static DepotException NotFound(string what, string id) => what switch
    {
        "project" => ProjectNotFound.Raise(id),
        "build" => BuildNotFound.Raise(id),
        "organization" => OrganizationNotFound.Raise(id),
        "image" => ImageNotFound.Raise(id),
        _ => NotFoundError.Raise(what, id),
    };

    /// <summary>No project named at all: Depot answers not_found, and the CLI then offers its project picker.</summary>
    public static DepotException NoProject() => ProjectUnnamed.Raise();

    public static DepotException AlreadyExists(string message) => AlreadyExistsError.Raise(message);

    public static DepotException Unauthenticated(string message) => UnauthenticatedError.Raise(message);

    public static DepotException Denied(string message) => PermissionDeniedError.Raise(message);

    public static DepotException Precondition(string message) => PreconditionFailed.Raise(message);

    public static DepotException Deadline(string message) => DeadlinePassed.Raise(message);

    private static DepotErrorCode Register(string name, DepotErrorKind kind, RegistryErrorCode oci, string template) =>
        DepotErrorCatalogue.Register(name, kind, oci, template);
}
