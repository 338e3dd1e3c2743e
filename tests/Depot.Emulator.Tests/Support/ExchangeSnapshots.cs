using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Snapshooter;
using Snapshooter.Xunit3;

namespace Depot.Emulator.Tests.Support;

/// <summary>
/// Pins what crossed the wire: the journal's entries for the calls a client made, with generated ids and times
/// replaced by stable placeholders, matched against committed snapshots so that drift fails.
/// </summary>
public static partial class ExchangeSnapshots
{
    public static async Task<long> MarkAsync(HttpClient http)
    {
        var journal = await http.GetFromJsonAsync<JsonElement>("/_emulator/journal?limit=1");
        var entries = journal.GetProperty("entries");
        return entries.GetArrayLength() == 0 ? 0 : entries[0].GetProperty("sequence").GetInt64();
    }

    /// <param name="except">Operations left out: those whose number or content depends on timing.</param>
    public static async Task<JsonArray> ExchangesSinceAsync(HttpClient http, long mark, params string[] except)
    {
        var journal = await http.GetFromJsonAsync<JsonObject>($"/_emulator/journal?since={mark}&limit=1000");
        var exchanges = new JsonArray();
        var placeholders = new Dictionary<string, string>();
        foreach (var entry in journal!["entries"]!.AsArray().Select(e => e!.AsObject()).Where(e => e["operation"] is not null && !except.Contains(e["operation"]!.GetValue<string>())))
        {
            var exchange = new JsonObject
            {
                ["operation"] = entry["operation"]!.GetValue<string>(),
                ["protocol"] = entry["protocol"]!.GetValue<string>(),
                ["tokenType"] = entry["tokenType"]?.GetValue<string>(),
                ["decision"] = entry["decision"]!.GetValue<string>(),
                ["status"] = entry["status"]!.GetValue<int>(),
                ["request"] = Normalize(entry["request"]?.DeepClone(), placeholders),
            };
            if (entry["code"] is { } code)
            {
                exchange["error"] = new JsonObject { ["code"] = code.GetValue<string>(), ["message"] = entry["error"]!.GetValue<string>() };
            }
            else
            {
                exchange["response"] = Normalize(entry["response"]?.DeepClone(), placeholders);
            }

            exchanges.Add(exchange);
        }

        return exchanges;
    }

    public static void Match(JsonArray exchanges, string name) =>
        Snapshot.Match(exchanges.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), SnapshotNameExtension.Create(name));

    private static JsonNode? Normalize(JsonNode? node, Dictionary<string, string> placeholders)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        obj[key] = Placeholder(text, placeholders);
                    }
                    else
                    {
                        Normalize(obj[key], placeholders);
                    }
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        array[i] = Placeholder(text, placeholders);
                    }
                    else
                    {
                        Normalize(array[i], placeholders);
                    }
                }

                return array;
            case JsonValue value when value.TryGetValue<string>(out var text):
                return JsonValue.Create(Placeholder(text, placeholders));
            default:
                return node;
        }
    }

    private static string Placeholder(string text, Dictionary<string, string> placeholders)
    {
        if (Timestamp().IsMatch(text))
        {
            return "<time>";
        }

        if (EpochMilliseconds().IsMatch(text))
        {
            return "<time-ms>";
        }

        if (GeneratedProjectId().IsMatch(text))
        {
            return Named("project-id", text, placeholders);
        }

        text = EmulatorUrl().Replace(text, "<emulator-url>");
        text = EmulatorEndpoint().Replace(text, "<emulator-endpoint>");
        text = EmulatorAuthority().Replace(text, "<emulator-host>");
        text = GeneratedTokenId().Replace(text, m => Named("token-id", m.Value, placeholders));
        text = GeneratedBuildId().Replace(text, m => Named(m.Groups[1].Value + "-id", m.Value, placeholders));
        text = GeneratedCiId().Replace(text, m => Named(m.Groups[1].Value + "-id", m.Value, placeholders));
        return GeneratedLoginId().Replace(text, m => Named("login-id", m.Value, placeholders));
    }

    private static string Named(string kind, string value, Dictionary<string, string> placeholders)
    {
        if (!placeholders.TryGetValue(value, out var placeholder))
        {
            placeholder = $"<{kind}-{placeholders.Values.Count(v => v.StartsWith($"<{kind}-", StringComparison.Ordinal)) + 1}>";
            placeholders[value] = placeholder;
        }

        return placeholder;
    }

    [GeneratedRegex(@"http://(127\.0\.0\.1|localhost|\[::1\]):\d+")]
    private static partial Regex EmulatorUrl();

    [GeneratedRegex(@"tcp://(127\.0\.0\.1|localhost|\[::1\]):\d+")]
    private static partial Regex EmulatorEndpoint();

    [GeneratedRegex(@"(127\.0\.0\.1|localhost|\[::1\]):\d+")]
    private static partial Regex EmulatorAuthority();

    [GeneratedRegex("(build|push|share)_[a-z0-9]{12}")]
    private static partial Regex GeneratedBuildId();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")]
    private static partial Regex Timestamp();

    [GeneratedRegex("(run|wf|job|att|secv|varv)_[a-z0-9]{12}")]
    private static partial Regex GeneratedCiId();

    [GeneratedRegex(@"^1\d{12}$")]
    private static partial Regex EpochMilliseconds();

    [GeneratedRegex("tok_[a-z0-9]{12}")]
    private static partial Regex GeneratedTokenId();

    [GeneratedRegex("login_[a-z0-9]{12}")]
    private static partial Regex GeneratedLoginId();

    [GeneratedRegex("^(?=.*[0-9])[a-z0-9]{10}$")]
    private static partial Regex GeneratedProjectId();
}
