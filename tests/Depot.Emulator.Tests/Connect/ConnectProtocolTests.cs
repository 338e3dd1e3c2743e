using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Depot.Emulator.Tests.Connect.Echo;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Depot.Emulator.Tests.Connect;

/// <summary>The Connect protocol as the specification states it, against a service that knows nothing of Depot.</summary>
public class ConnectProtocolTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await EchoService.StartAsync();
        _http = _app.GetTestClient();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Unary_binary_round_trip()
    {
        using var response = await PostAsync("Say", "application/proto", new SayRequest { Text = "hi", BigNumber = 1L << 40 }.ToByteArray());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/proto", response.Content.Headers.ContentType!.MediaType);
        var body = SayResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("hi", body.Text);
        Assert.Equal(1L << 40, body.BigNumber);
    }

    [Fact]
    public async Task Unary_json_accepts_snake_case_and_string_int64_and_answers_camel_case()
    {
        using var response = await PostAsync("Say", "application/json; charset=utf-8", """{"text":"hi","big_number":"42","unknown":1}"""u8.ToArray());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("""{ "text": "hi", "bigNumber": "42" }""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_empty_json_body_is_the_empty_message()
    {
        using var response = await PostAsync("Say", "application/json", []);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{ }", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Gzip_request_bodies_are_inflated_and_large_responses_compressed_when_accepted()
    {
        var text = new string('x', 1000);
        using var request = Request("Say", "application/proto", Gzip(new SayRequest { Text = text }.ToByteArray()));
        request.Content!.Headers.ContentEncoding.Add("gzip");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal(text, SayResponse.Parser.ParseFrom(Gunzip(await response.Content.ReadAsByteArrayAsync())).Text);
    }

    [Fact]
    public async Task An_unknown_request_compression_is_unimplemented()
    {
        using var request = Request("Say", "application/proto", [1, 2, 3]);
        request.Content!.Headers.ContentEncoding.Add("zstd");
        using var response = await _http.SendAsync(request);
        await AssertErrorAsync(response, HttpStatusCode.NotImplemented, "unimplemented", "zstd");
    }

    [Fact]
    public async Task Gzip_that_is_not_gzip_is_invalid_argument()
    {
        using var request = Request("Say", "application/proto", [1, 2, 3]);
        request.Content!.Headers.ContentEncoding.Add("gzip");
        await AssertErrorAsync(await _http.SendAsync(request), HttpStatusCode.BadRequest, "invalid_argument", "gzip");
    }

    [Theory]
    [InlineData("application/proto", new byte[] { 0xff, 0xff, 0xff })]
    [InlineData("application/json", new byte[] { (byte)'{', (byte)'x' })]
    [InlineData("application/json", new byte[] { (byte)'[', (byte)']' })]
    public async Task Garbage_bodies_are_invalid_argument_never_500(string contentType, byte[] body) =>
        await AssertErrorAsync(await PostAsync("Say", contentType, body), HttpStatusCode.BadRequest, "invalid_argument", "connecttest.v1.SayRequest");

    [Fact]
    public async Task Handler_errors_keep_their_code_and_crashes_hide_their_detail()
    {
        await AssertErrorAsync(await PostAsync("Say", "application/proto", new SayRequest { FailWith = "NotFound" }.ToByteArray()),
            HttpStatusCode.NotFound, "not_found", "asked to fail");
        using var crash = await PostAsync("Say", "application/proto", new SayRequest { FailWith = "crash" }.ToByteArray());
        var body = await AssertErrorAsync(crash, HttpStatusCode.InternalServerError, "internal", "Say");
        Assert.DoesNotContain("secret internals", body);
    }

    [Fact]
    public async Task Every_code_has_its_specified_http_status()
    {
        var expected = new Dictionary<string, int>
        {
            ["Canceled"] = 499, ["Unknown"] = 500, ["InvalidArgument"] = 400, ["DeadlineExceeded"] = 504, ["NotFound"] = 404,
            ["AlreadyExists"] = 409, ["PermissionDenied"] = 403, ["ResourceExhausted"] = 429, ["FailedPrecondition"] = 400,
            ["Aborted"] = 409, ["OutOfRange"] = 400, ["Unimplemented"] = 501, ["Internal"] = 500, ["Unavailable"] = 503,
            ["DataLoss"] = 500, ["Unauthenticated"] = 401,
        };
        foreach (var (code, status) in expected)
        {
            using var response = await PostAsync("Say", "application/proto", new SayRequest { FailWith = code }.ToByteArray());
            Assert.Equal(status, (int)response.StatusCode);
        }
    }

    [Fact]
    public async Task The_timeout_header_becomes_deadline_exceeded()
    {
        using var request = Request("Say", "application/proto", new SayRequest { DelayMs = 5000 }.ToByteArray());
        request.Headers.Add("Connect-Timeout-Ms", "50");
        await AssertErrorAsync(await _http.SendAsync(request), HttpStatusCode.GatewayTimeout, "deadline_exceeded", "deadline");
    }

    [Theory]
    [InlineData("Connect-Timeout-Ms", "soon")]
    [InlineData("Connect-Timeout-Ms", "12345678901")]
    [InlineData("Connect-Protocol-Version", "2")]
    public async Task Malformed_protocol_headers_are_invalid_argument(string header, string value)
    {
        using var request = Request("Say", "application/proto", []);
        request.Headers.Remove(header);
        request.Headers.TryAddWithoutValidation(header, value);
        await AssertErrorAsync(await _http.SendAsync(request), HttpStatusCode.BadRequest, "invalid_argument", header.ToLowerInvariant());
    }

    [Fact]
    public async Task Wrong_verb_is_405_with_allow_post()
    {
        using var response = await _http.GetAsync("/connecttest.v1.EchoService/Say");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", response.Content.Headers.Allow.Single());
    }

    [Theory]
    [InlineData("Say", "text/plain")]
    [InlineData("Say", "application/connect+proto")]
    [InlineData("Collect", "application/proto")]
    public async Task Unsupported_content_types_are_415(string method, string contentType)
    {
        using var response = await PostAsync(method, contentType, []);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.True(response.Headers.Contains("Accept-Post"));
    }

    [Fact]
    public async Task Unknown_methods_are_unimplemented()
    {
        await AssertErrorAsync(await PostAsync("Shout", "application/proto", []), HttpStatusCode.NotImplemented, "unimplemented", "connecttest.v1.EchoService/Shout");
        await AssertErrorAsync(await PostAsync("Chat", "application/connect+proto", []), HttpStatusCode.NotImplemented, "unimplemented", "Chat");
    }

    [Fact]
    public async Task A_path_prefix_in_the_base_url_reaches_the_procedure()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/some/prefix/connecttest.v1.EchoService/Say")
        {
            Content = new ByteArrayContent(new SayRequest { Text = "prefixed" }.ToByteArray()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/proto");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("prefixed", SayResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).Text);
    }

    [Fact]
    public async Task Server_streams_send_envelopes_and_one_empty_end_message()
    {
        using var response = await PostAsync("Repeat", "application/connect+proto", Envelope(0, new RepeatRequest { Text = "hi", Times = 3 }.ToByteArray()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/connect+proto", response.Content.Headers.ContentType!.MediaType);
        var frames = Frames(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(["hi 0", "hi 1", "hi 2"], frames.Take(3).Select(f => SayResponse.Parser.ParseFrom(f.Payload).Text));
        Assert.Equal(0x02, frames[3].Flags);
        Assert.Equal("{}", Encoding.UTF8.GetString(frames[3].Payload));
        Assert.Equal(4, frames.Count);
    }

    [Fact]
    public async Task A_stream_that_fails_reports_the_error_in_its_end_message_with_status_200()
    {
        using var response = await PostAsync("Repeat", "application/connect+json",
            Envelope(0, """{"text":"x","times":1,"failWith":"Aborted"}"""u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = Frames(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("""{ "text": "x 0" }""", Encoding.UTF8.GetString(frames[0].Payload));
        using var end = JsonDocument.Parse(frames[1].Payload);
        Assert.Equal("aborted", end.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("failed after writing", end.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Client_streams_read_every_envelope_including_compressed_ones()
    {
        var body = Envelope(0, new SayRequest { Text = "a" }.ToByteArray())
            .Concat(Envelope(1, Gzip(new SayRequest { Text = "b" }.ToByteArray())))
            .Concat(Envelope(0, []))
            .ToArray();
        using var request = Request("Collect", "application/connect+proto", body);
        request.Headers.Add("Connect-Content-Encoding", "gzip");
        using var response = await _http.SendAsync(request);
        var frames = Frames(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(["a", "b", ""], CollectResponse.Parser.ParseFrom(frames[0].Payload).Texts);
        Assert.Equal("{}", Encoding.UTF8.GetString(frames[1].Payload));
    }

    [Fact]
    public async Task A_client_stream_with_no_messages_is_normal()
    {
        using var response = await PostAsync("Collect", "application/connect+proto", []);
        var frames = Frames(await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(CollectResponse.Parser.ParseFrom(frames[0].Payload).Texts);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 9, 1, 2 })]
    [InlineData(new byte[] { 0x80, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0 })]
    public async Task Broken_envelopes_end_the_stream_with_invalid_argument(byte[] body)
    {
        using var response = await PostAsync("Collect", "application/connect+proto", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var end = Frames(await response.Content.ReadAsByteArrayAsync()).Single();
        using var json = JsonDocument.Parse(end.Payload);
        Assert.Equal("invalid_argument", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_server_stream_needs_exactly_one_request_message()
    {
        var two = Envelope(0, new RepeatRequest().ToByteArray()).Concat(Envelope(0, new RepeatRequest().ToByteArray())).ToArray();
        foreach (var body in new[] { Array.Empty<byte>(), two })
        {
            using var response = await PostAsync("Repeat", "application/connect+proto", body);
            var end = Frames(await response.Content.ReadAsByteArrayAsync()).Single();
            Assert.Contains("exactly one request message", Encoding.UTF8.GetString(end.Payload));
        }
    }

    private Task<HttpResponseMessage> PostAsync(string method, string contentType, byte[] body) =>
        _http.SendAsync(Request(method, contentType, body));

    private static HttpRequestMessage Request(string method, string contentType, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connecttest.v1.EchoService/" + method) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Add("Connect-Protocol-Version", "1");
        return request;
    }

    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string messagePart)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
            using var json = JsonDocument.Parse(text);
            Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
            Assert.Contains(messagePart, json.RootElement.GetProperty("message").GetString());
            return text;
        }
    }

    private static byte[] Envelope(byte flags, byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static List<(byte Flags, byte[] Payload)> Frames(byte[] body)
    {
        var frames = new List<(byte, byte[])>();
        for (var offset = 0; offset < body.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            frames.Add((body[offset], body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }

        return frames;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress))
        {
            gzip.CopyTo(output);
        }

        return output.ToArray();
    }
}
