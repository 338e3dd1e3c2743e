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
            clock.Advance(body.Seconds);
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
        CiEndpoints.Map(group);
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

/// <summary>The control plane's one error writer: <c>{"error": {"code", "message"}}</c>, with the catalogue entry's kind and status.</summary>
internal static class ControlPlaneErrors
{
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DepotException e)
        {
            return Error(e);
        }
        catch (Exception e) when (e is BadHttpRequestException or JsonException)
        {
            return Error(DepotErrors.Invalid("request body is not valid: " + e.Message));
        }
    }

    public static IResult Error(DepotException e, int? status = null) =>
        Results.Json(Body(e), statusCode: status ?? DepotErrorKinds.HttpStatus(e.Kind));

    public static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { code, message = Echo.Message(message) } }, statusCode: status);

    public static Task WriteAsync(HttpContext http, DepotException e, int? status = null)
    {
        http.Response.StatusCode = status ?? DepotErrorKinds.HttpStatus(e.Kind);
        return http.Response.WriteAsJsonAsync(Body(e));
    }

    private static object Body(DepotException e) => new { error = new { code = DepotErrorKinds.Name(e.Kind), message = e.Message } };
}
