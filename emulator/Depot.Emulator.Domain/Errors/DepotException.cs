namespace Depot.Emulator.Domain.Errors;

/// <summary>The kinds of failure the domain reports; each surface (Connect, OCI) maps them to its own codes.</summary>
public enum DepotErrorKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    Unauthenticated,
    PermissionDenied,
    FailedPrecondition,
    DeadlineExceeded,
}

public sealed class DepotException(DepotErrorKind kind, string message) : Exception(message)
{
    public DepotErrorKind Kind { get; } = kind;
}

/// <summary>Every error the domain raises, with its fixed kind and wording.</summary>
public static class DepotErrors
{
    public static DepotException Invalid(string message) => new(DepotErrorKind.InvalidArgument, message);

    public static DepotException Required(string field) => Invalid($"{field} is required");

    public static DepotException NotFound(string what, string id) => new(DepotErrorKind.NotFound, $"{what} {id} not found");

    public static DepotException NoProject() =>
        new(DepotErrorKind.NotFound, "project not found: name a project with --project, DEPOT_PROJECT_ID or depot.json");

    public static DepotException AlreadyExists(string message) => new(DepotErrorKind.AlreadyExists, message);

    public static DepotException Unauthenticated(string message) => new(DepotErrorKind.Unauthenticated, message);

    public static DepotException Denied(string message) => new(DepotErrorKind.PermissionDenied, message);

    public static DepotException Precondition(string message) => new(DepotErrorKind.FailedPrecondition, message);
}
