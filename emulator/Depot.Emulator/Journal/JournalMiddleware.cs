using System.Text.Json.Nodes;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Authorization;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Google.Protobuf;

namespace Depot.Emulator.Journal;

/// <summary>Records every request but the journal's own reads and health probes.</summary>
internal sealed class JournalMiddleware(RequestDelegate next, RequestJournal journal, TimeProvider clock)
{
    /// <summary>How much of one message, and of all the messages of one call, an entry keeps.</summary>
    private const int MaxBodyChars = 16 * 1024;

    private const int MaxCallBodyChars = 64 * 1024;

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
            Echo.Cap((http.Request.PathBase + http.Request.Path).Value ?? "", 2048),
            http.Request.Protocol,
            call is null ? access?.Operation.Name : ConnectMethod.ProcedureName(call.Method),
            principal?.Type.Name(),
            principal?.TokenId,
            Decision(access),
            access?.WouldDeny ?? [],
            http.Response.StatusCode,
            call?.Error is { } error ? ConnectCodes.Name(error.Code) : null,
            call?.Error?.Message is { } message ? Echo.Message(message) : null,
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

        var kept = 0;
        var nodes = new List<JsonNode?>();
        foreach (var message in messages.ToList())
        {
            var json = JsonFormatter.Default.Format(message);
            if (json.Length > MaxBodyChars || kept + json.Length > MaxCallBodyChars)
            {
                nodes.Add(JsonValue.Create($"({json.Length} characters, not kept)"));
                continue;
            }

            kept += json.Length;
            nodes.Add(Redact(JsonNode.Parse(json)));
        }

        return nodes.Count == 1 ? nodes[0] : new JsonArray(nodes.ToArray());
    }

    private static JsonNode? Redact(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (Redaction.IsSecretField(key) && obj[key] is JsonValue)
                    {
                        obj[key] = Redaction.Mask;
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
