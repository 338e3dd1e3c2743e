using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;

namespace Depot.Emulator.Tests.Support;

/// <summary>A minimal unary Connect client over raw HTTP, so tests see exactly what travels.</summary>
public sealed class ConnectTestClient(HttpClient http)
{
    public async Task<ConnectResult<TResponse>> CallAsync<TResponse>(string procedure, IMessage request, string? token = null,
        IDictionary<string, string>? headers = null)
        where TResponse : IMessage<TResponse>, new()
    {
        var raw = await CallAsync(procedure, request, token, headers);
        var parsed = raw.Response is null ? default : new MessageParser<TResponse>(() => new TResponse()).ParseFrom(raw.Response);
        return new ConnectResult<TResponse>(raw.Status, parsed, raw.Code, raw.Message);
    }

    /// <summary>The body of a success is returned undecoded.</summary>
    public async Task<ConnectResult<byte[]>> CallAsync(string procedure, IMessage request, string? token = null,
        IDictionary<string, string>? headers = null)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/" + procedure)
        {
            Content = new ByteArrayContent(request.ToByteArray()),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/proto");
        message.Headers.Add("Connect-Protocol-Version", "1");
        if (token is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            message.Headers.Add(name, value);
        }

        using var response = await http.SendAsync(message);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.IsSuccessStatusCode)
        {
            return new ConnectResult<byte[]>((int)response.StatusCode, body, null, null);
        }

        using var error = JsonDocument.Parse(body);
        return new ConnectResult<byte[]>((int)response.StatusCode, default, error.RootElement.GetProperty("code").GetString(),
            error.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null);
    }

    /// <summary>
    /// A streaming call with one request message. An error in the end-of-stream message is reported with the
    /// HTTP status a unary call would have had, so streaming and unary results compare alike.
    /// </summary>
    public async Task<ConnectResult<byte[]>> CallStreamAsync(string procedure, IMessage request, string? token = null)
    {
        var result = await StreamAsync(procedure, [request], token);
        return result.Code is { } code
            ? new ConnectResult<byte[]>(result.Status == 200 ? HttpStatusOf(code) : result.Status, default, code, result.Message)
            : new ConnectResult<byte[]>(result.Status, result.Messages.FirstOrDefault() ?? [], null, null);
    }

    /// <summary>Sends every request as an enveloped stream and collects every response message and the end message's error.</summary>
    public async Task<StreamResult> StreamAsync(string procedure, IEnumerable<IMessage> requests, string? token = null)
    {
        var body = new MemoryStream();
        foreach (var request in requests)
        {
            var payload = request.ToByteArray();
            var prefix = new byte[5];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (uint)payload.Length);
            body.Write(prefix);
            body.Write(payload);
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, "/" + procedure) { Content = new ByteArrayContent(body.ToArray()) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+proto");
        message.Headers.Add("Connect-Protocol-Version", "1");
        if (token is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(message);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var messages = new List<byte[]>();
        if (!response.IsSuccessStatusCode)
        {
            return new StreamResult((int)response.StatusCode, messages, null, null);
        }

        for (var offset = 0; offset + 5 <= bytes.Length;)
        {
            var flags = bytes[offset];
            var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 1));
            var frame = bytes.AsSpan(offset + 5, length).ToArray();
            offset += 5 + length;
            if ((flags & 0x02) == 0)
            {
                messages.Add(frame);
                continue;
            }

            using var end = JsonDocument.Parse(frame);
            if (end.RootElement.TryGetProperty("error", out var error))
            {
                return new StreamResult(200, messages, error.GetProperty("code").GetString(),
                    error.TryGetProperty("message", out var m) ? m.GetString() : null);
            }
        }

        return new StreamResult(200, messages, null, null);
    }

    private static int HttpStatusOf(string code) => code switch
    {
        "unauthenticated" => 401,
        "permission_denied" => 403,
        "not_found" => 404,
        "invalid_argument" or "failed_precondition" or "out_of_range" => 400,
        "already_exists" or "aborted" => 409,
        "unimplemented" => 501,
        _ => 500,
    };
}

public sealed record ConnectResult<T>(int Status, T? Response, string? Code, string? Message)
{
    public T Ok => Response ?? throw new Xunit.Sdk.XunitException($"expected success, got {Status} {Code}: {Message}");
}

public sealed record StreamResult(int Status, IReadOnlyList<byte[]> Messages, string? Code, string? Message)
{
    public IReadOnlyList<T> Ok<T>()
        where T : IMessage<T>, new() =>
        Code is null
            ? Messages.Select(m => new MessageParser<T>(() => new T()).ParseFrom(m)).ToList()
            : throw new Xunit.Sdk.XunitException($"expected success, got {Code}: {Message}");
}
