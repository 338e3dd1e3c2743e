using System.Text.Json;
using System.Text.Json.Nodes;

namespace Depot.Emulator.Domain.Oidc;

/// <summary>A JWT payload as JSON, read leniently: CI providers send numbers and booleans as strings and back.</summary>
public sealed class OidcClaims(JsonObject payload)
{
    public JsonObject Payload { get; } = payload;

    public string? String(string name) => Payload[name] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => null,
    };

    /// <summary>The audiences: <c>aud</c> is a string or an array of strings.</summary>
    public IReadOnlyList<string> Audiences => Payload["aud"] switch
    {
        JsonArray a => a.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()).ToList(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    /// <summary>Parses a payload; a repeated claim is malformed (JsonObject would otherwise fail on first use, not here).</summary>
    public static OidcClaims Parse(string json)
    {
        var payload = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("the payload is not a JSON object");
        _ = payload.Count; // builds the property table, which refuses a duplicate key
        return new OidcClaims(payload);
    }
}
