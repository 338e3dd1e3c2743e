namespace Depot.Emulator.Connect;

/// <summary>The sixteen Connect error codes; the numbers are gRPC's.</summary>
public enum ConnectCode
{
    Canceled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

/// <summary>Wire name and HTTP status of every code, declared once (Connect specification).</summary>
public static class ConnectCodes
{
    private static readonly Dictionary<ConnectCode, (string Name, int Status)> Table = new()
    {
        [ConnectCode.Canceled] = ("canceled", 499),
        [ConnectCode.Unknown] = ("unknown", 500),
        [ConnectCode.InvalidArgument] = ("invalid_argument", 400),
        [ConnectCode.DeadlineExceeded] = ("deadline_exceeded", 504),
        [ConnectCode.NotFound] = ("not_found", 404),
        [ConnectCode.AlreadyExists] = ("already_exists", 409),
        [ConnectCode.PermissionDenied] = ("permission_denied", 403),
        [ConnectCode.ResourceExhausted] = ("resource_exhausted", 429),
        [ConnectCode.FailedPrecondition] = ("failed_precondition", 400),
        [ConnectCode.Aborted] = ("aborted", 409),
        [ConnectCode.OutOfRange] = ("out_of_range", 400),
        [ConnectCode.Unimplemented] = ("unimplemented", 501),
        [ConnectCode.Internal] = ("internal", 500),
        [ConnectCode.Unavailable] = ("unavailable", 503),
        [ConnectCode.DataLoss] = ("data_loss", 500),
        [ConnectCode.Unauthenticated] = ("unauthenticated", 401),
    };

    public static IEnumerable<ConnectCode> All => Table.Keys;

    public static string Name(ConnectCode code) => Table[code].Name;

    public static int HttpStatus(ConnectCode code) => Table[code].Status;

    public static bool TryParse(string name, out ConnectCode code)
    {
        foreach (var (candidate, entry) in Table)
        {
            if (entry.Name == name)
            {
                code = candidate;
                return true;
            }
        }

        code = default;
        return false;
    }
}
