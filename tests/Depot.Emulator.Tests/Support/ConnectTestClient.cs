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
        var payload = request.ToByteArray();
        var body = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(body, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, "/" + procedure) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+proto");
        message.Headers.Add("Connect-Protocol-Version", "1");
        if (token is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(message);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            return new ConnectResult<byte[]>((int)response.StatusCode, default, null, null);
        }

        byte[]? first = null;
        for (var offset = 0; offset + 5 <= bytes.Length;)
        {
            var flags = bytes[offset];
            var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 1));
            var frame = bytes.AsSpan(offset + 5, length).ToArray();
            offset += 5 + length;
            if ((flags & 0x02) == 0)
            {
                first ??= frame;
                continue;
            }

            using var end = JsonDocument.Parse(frame);
            if (end.RootElement.TryGetProperty("error", out var error))
            {
                var code = error.GetProperty("code").GetString()!;
                return new ConnectResult<byte[]>(HttpStatusOf(code), default, code,
                    error.TryGetProperty("message", out var m) ? m.GetString() : null);
            }
        }

        return new ConnectResult<byte[]>(200, first ?? [], null, null);
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
