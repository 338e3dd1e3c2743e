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
            var parsed = new TResponse();
            parsed.MergeFrom(body);
            return new ConnectResult<TResponse>((int)response.StatusCode, parsed, null, null);
        }

        using var error = JsonDocument.Parse(body);
        return new ConnectResult<TResponse>((int)response.StatusCode, default, error.RootElement.GetProperty("code").GetString(),
            error.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null);
    }
}

public sealed record ConnectResult<T>(int Status, T? Response, string? Code, string? Message)
{
    public T Ok => Response ?? throw new Xunit.Sdk.XunitException($"expected success, got {Status} {Code}: {Message}");
}
