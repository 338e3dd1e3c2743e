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
}

public sealed record ConnectResult<T>(int Status, T? Response, string? Code, string? Message)
{
    public T Ok => Response ?? throw new Xunit.Sdk.XunitException($"expected success, got {Status} {Code}: {Message}");
}
