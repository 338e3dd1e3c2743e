using System.Text.Json;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Login;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Oidc;
using Depot.Emulator.Domain.Seeding;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Time;
using Depot.Emulator.Journal;

namespace Depot.Emulator.ControlPlane;

/// <summary>
/// <c>/_emulator/*</c>: the emulator's own API for tests and people. It takes no token; it is for the machine the
/// emulator runs on.
/// </summary>
public static class ControlPlaneEndpoints
{
    public static void MapControlPlane(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/_emulator").AddEndpointFilter(ControlPlaneErrors.Filter);

        group.MapGet("/health", (DepotState state) => Results.Ok(new { status = "ok", now = state.Clock.GetUtcNow() }));

        group.MapPost("/reset", (DepotState state, EmulatorReset reset) =>
        {
            reset.Run(state.Reset);
            return Results.Ok(Summary(state));
        });

        group.MapPost("/seed", async (HttpRequest request, DepotState state, EmulatorReset reset) =>
        {
            using var reader = new StreamReader(request.Body);
            var seed = SeedParser.Parse(await reader.ReadToEndAsync(request.HttpContext.RequestAborted));
            reset.Run(() => state.Load(seed));
            return Results.Ok(Summary(state));
        });

        group.MapGet("/matrix", (PermissionMatrix matrix, string? format) => format == "markdown"
            ? Results.Text(MatrixDocument.Markdown(matrix), "text/markdown")
            : Results.Ok(MatrixDocument.From(matrix)));

        group.MapPost("/tokens", async (HttpRequest request, DepotState state) =>
        {
            var body = await ReadJsonAsync<TokenMintRequest>(request);
            var issued = state.IssueToken(new TokenRequest(
                TokenTypes.Parse(body.Type), body.User, body.Organization, body.Project, body.Build, body.Secret, body.Id,
                body.Description ?? "minted by the control plane",
                body.TtlSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : null));
            return Results.Ok(new
            {
                id = issued.Record.Id,
                secret = issued.Secret,
                type = issued.Record.Type.Name(),
                expiresAt = issued.Record.ExpiresAt,
            });
        });

        group.MapGet("/clock", (EmulatorClock clock) => Results.Ok(new { now = clock.GetUtcNow(), offsetSeconds = clock.Offset.TotalSeconds }));

        group.MapPost("/clock/advance", async (HttpRequest request, EmulatorClock clock) =>
        {
            var body = await ReadJsonAsync<ClockAdvanceRequest>(request);
            clock.Advance(TimeSpan.FromSeconds(body.Seconds));
            return Results.Ok(new { now = clock.GetUtcNow(), offsetSeconds = clock.Offset.TotalSeconds });
        });

        group.MapGet("/journal", (RequestJournal journal, string? operation, long? since, int? limit) =>
            Results.Ok(new { entries = journal.Query(operation, since, Math.Clamp(limit ?? 100, 1, 10_000)) }));

        group.MapDelete("/journal", (RequestJournal journal) =>
        {
            journal.Clear();
            return Results.NoContent();
        });

        LoginPage.Map(group);
        BuildEndpoints.Map(group);
    }

    /// <summary>Reads a JSON body; a missing or malformed one is an invalid_argument, not a bare 400.</summary>
    internal static async Task<T> ReadJsonAsync<T>(HttpRequest request)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, JsonOptions, request.HttpContext.RequestAborted)
                ?? throw DepotErrors.Invalid("request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw DepotErrors.Invalid("request body is not valid JSON: " + e.Message);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static object Summary(DepotState state) => new
    {
        organizations = state.Organizations().Count,
        users = state.Users().Count,
        projects = state.Projects().Count,
        tokens = state.SeededTokens.Select(t => new
        {
            id = t.Record.Id,
            type = t.Record.Type.Name(),
            secret = t.Secret,
            expiresAt = t.Record.ExpiresAt,
        }),
    };

    public sealed record TokenMintRequest(
        string? Type,
        string? User,
        string? Organization,
        string? Project,
        string? Build,
        string? Secret,
        string? Id,
        string? Description,
        int? TtlSeconds);

    public sealed record ClockAdvanceRequest(double Seconds);
}

/// <summary>Control-plane failures as <c>{"error": {"code", "message"}}</c> with a matching status.</summary>
internal static class ControlPlaneErrors
{
    private static readonly Dictionary<DepotErrorKind, (int Status, string Code)> Table = new()
    {
        [DepotErrorKind.InvalidArgument] = (400, "invalid_argument"),
        [DepotErrorKind.NotFound] = (404, "not_found"),
        [DepotErrorKind.AlreadyExists] = (409, "already_exists"),
        [DepotErrorKind.FailedPrecondition] = (409, "failed_precondition"),
        [DepotErrorKind.Unauthenticated] = (401, "unauthenticated"),
        [DepotErrorKind.PermissionDenied] = (403, "permission_denied"),
        [DepotErrorKind.DeadlineExceeded] = (504, "deadline_exceeded"),
    };

    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DepotException e)
        {
            var (status, code) = Table[e.Kind];
            return Error(status, code, e.Message);
        }
        catch (Exception e) when (e is BadHttpRequestException or JsonException)
        {
            return Error(400, "invalid_argument", "request body is not valid: " + e.Message);
        }
    }

    public static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { code, message } }, statusCode: status);
}
