using System.Text.Json.Nodes;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Authorization;
using Depot.Emulator.Domain.Matrix;
using Google.Protobuf;

namespace Depot.Emulator.Journal;

/// <summary>Records every request but the journal's own reads and health probes.</summary>
internal sealed class JournalMiddleware(RequestDelegate next, RequestJournal journal, TimeProvider clock)
{
    /// <summary>Fields whose values are secrets, in any message, as protobuf JSON names them.</summary>
    private static readonly HashSet<string> SecretFields = ["token", "secret", "buildToken", "password", "value"];

    private const int MaxBodyChars = 16 * 1024;

    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (journal.Capacity == 0 || path.StartsWith("/_emulator/journal", StringComparison.Ordinal) || path == "/_emulator/health")
        {
            await next(http);
            return;
        }

        var sequence = journal.NextSequence();
        var started = clock.GetUtcNow();
        try
        {
            await next(http);
        }
        finally
        {
            journal.Add(Entry(http, sequence, started));
        }
    }

    private static JournalEntry Entry(HttpContext http, long sequence, DateTimeOffset started)
    {
        var call = http.Features.Get<IConnectCallFeature>();
        var access = http.Features.Get<DepotAccessFeature>()?.Access;
        var principal = access?.Principal;
        return new JournalEntry(
            sequence,
            started,
            http.Request.Method,
            (http.Request.PathBase + http.Request.Path).Value ?? "",
            http.Request.Protocol,
            call is null ? access?.Operation.Name : ConnectMethod.ProcedureName(call.Method),
            principal?.Type.Name(),
            principal?.TokenId,
            Decision(access),
            access?.WouldDeny ?? [],
            http.Response.StatusCode,
            call?.Error is { } error ? ConnectCodes.Name(error.Code) : null,
            call?.Error?.Message,
            call is null ? null : Body(call.Requests),
            call is null ? null : Body(call.Responses));
    }

    private static string Decision(RequestAccess? access) => access?.Outcome switch
    {
        null => "none",
        AccessOutcome.Anonymous => access.Operation.Service.RequiresToken ? "anonymous" : "public",
        AccessOutcome.Allowed => "allow",
        AccessOutcome.Denied => "deny",
        AccessOutcome.WouldDeny => "would-deny",
        _ => "none",
    };

    private static JsonNode? Body(IReadOnlyList<IMessage> messages)
    {
        if (messages.Count == 0)
        {
            return null;
        }

        var nodes = messages.Select(m =>
        {
            var json = JsonFormatter.Default.Format(m);
            return json.Length > MaxBodyChars
                ? JsonValue.Create($"({json.Length} characters, not kept)")
                : Redact(JsonNode.Parse(json));
        }).ToList();
        return nodes.Count == 1 ? nodes[0] : new JsonArray(nodes.ToArray());
    }

    private static JsonNode? Redact(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (SecretFields.Contains(key) && obj[key] is JsonValue)
                    {
                        obj[key] = "[redacted]";
                    }
                    else
                    {
                        Redact(obj[key]);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Redact(item);
                }

                break;
        }

        return node;
    }
}
