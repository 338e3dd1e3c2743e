using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Depot.Emulator.Connect.Internal;

/// <summary>
/// One Connect call: negotiates codec, compression and deadline, reads and writes messages, and sends every
/// failure down one error path.
/// </summary>
internal sealed class ConnectCall
{
    private readonly HttpContext _http;
    private readonly ConnectMethod _method;
    private readonly ConnectOptions _options;
    private readonly IReadOnlyList<IConnectInterceptor> _interceptors;
    private readonly Codec _codec;
    private readonly bool _streaming;
    private readonly string? _requestEncoding;
    private readonly bool _compressResponses;
    private readonly ConnectCallFeature _feature;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _streamStarted;

    private ConnectCall(HttpContext http, ConnectMethod method, ConnectOptions options,
        IReadOnlyList<IConnectInterceptor> interceptors, Codec codec, bool streaming, CancellationToken token)
    {
        _http = http;
        _method = method;
        _options = options;
        _interceptors = interceptors;
        _codec = codec;
        _streaming = streaming;
        var headers = http.Request.Headers;
        _requestEncoding = streaming ? headers["Connect-Content-Encoding"] : headers.ContentEncoding;
        _compressResponses = Compression.Accepts(streaming ? headers["Connect-Accept-Encoding"] : headers.AcceptEncoding);
        _feature = new ConnectCallFeature(method.Descriptor);
        http.Features.Set<IConnectCallFeature>(_feature);
        Context = new ConnectCallContext(http, method.Descriptor, token);
    }

    public ConnectCallContext Context { get; }

    /// <summary>
    /// The pipeline every Connect call passes, in this order for every method kind: resolve (the endpoint names the
    /// method; the headers say how its body is encoded) → authenticate and authorize (the interceptors, before a byte
    /// of the body is read) → read and only then inflate the body → handler → and any failure down one error path.
    /// </summary>
    public static async Task HandleAsync(HttpContext http, ConnectMethod method, ConnectOptions options,
        IReadOnlyList<IConnectInterceptor> interceptors, ILogger logger)
    {
        var streaming = method.Kind != ConnectMethodKind.Unary;
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.Headers.Allow = "POST";
            await WriteBareErrorAsync(http, StatusCodes.Status405MethodNotAllowed,
                new ConnectException(ConnectCode.Unimplemented, $"{method.Procedure} is served over POST only"));
            return;
        }

        var codec = ContentTypes.Parse(http.Request.ContentType, streaming);
        if (codec is null)
        {
            http.Response.Headers["Accept-Post"] = ContentTypes.Accepted(streaming);
            await WriteBareErrorAsync(http, StatusCodes.Status415UnsupportedMediaType,
                new ConnectException(ConnectCode.InvalidArgument,
                    $"content-type must be one of {ContentTypes.Accepted(streaming)}"));
            return;
        }

        LimitBody(http, streaming, options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var call = new ConnectCall(http, method, options, interceptors, codec, streaming, deadline.Token);
        try
        {
            call.CheckHeaders(deadline);
            await call.InterceptAsync();
            await method.Handler(call);
            if (streaming)
            {
                await call.WriteEndAsync(null);
            }
        }
        catch (Exception e) when (ClientLeft(http, e))
        {
            // The client went away (a reset stream or a closed connection): nothing to answer. Kestrel may
            // report a reset request stream before it signals RequestAborted.
            logger.LogDebug(e, "Client left {Procedure}", method.Procedure);
        }
        catch (Exception e)
        {
            var error = Classify(e, deadline.IsCancellationRequested, options, method, logger);
            call._feature.Error = error;
            try
            {
                await call.WriteErrorAsync(error);
            }
            catch (Exception write) when (ClientLeft(http, write) || write is OperationCanceledException)
            {
                logger.LogDebug(write, "Client left {Procedure} before its error was written", method.Procedure);
            }
        }
    }

    /// <summary>
    /// A body Kestrel refuses as too large is a <see cref="BadHttpRequestException"/> (an <see cref="IOException"/>):
    /// that client is still there and gets <c>resource_exhausted</c>, not silence.
    /// </summary>
    private static bool ClientLeft(HttpContext http, Exception e) =>
        e is not BadHttpRequestException &&
        (http.RequestAborted.IsCancellationRequested || e is IOException and not (InvalidProtocolBufferException or InvalidJsonException));

    /// <summary>
    /// Unary bodies are held whole, so Kestrel stops them at the message limit; streams carry many messages, each
    /// checked at its envelope, and trickle for the length of a build, so Kestrel's size and data-rate limits are off.
    /// </summary>
    private static void LimitBody(HttpContext http, bool streaming, ConnectOptions options)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = streaming ? null : options.MaxMessageBytes;
        }

        if (streaming && http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
    }

    private static async Task WriteBareErrorAsync(HttpContext http, int status, ConnectException error)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(ErrorBody.Error(error));
    }

    private void CheckHeaders(CancellationTokenSource deadline)
    {
        var headers = _http.Request.Headers;
        var version = headers["Connect-Protocol-Version"];
        if (version.Any(v => v != "1"))
        {
            throw new ConnectException(ConnectCode.InvalidArgument,
                $"connect-protocol-version must be \"1\": got \"{version}\"");
        }

        var timeout = headers["Connect-Timeout-Ms"];
        if (timeout.Count > 0)
        {
            var text = timeout[0]!;
            if (text.Length is 0 or > 10 || !text.All(char.IsAsciiDigit))
            {
                throw new ConnectException(ConnectCode.InvalidArgument,
                    $"connect-timeout-ms must be 1 to 10 ASCII digits: got \"{text}\"");
            }

            deadline.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(long.Parse(text), int.MaxValue)));
        }

        if (!Compression.IsSupported(_requestEncoding))
        {
            throw new ConnectException(ConnectCode.Unimplemented,
                $"unknown compression \"{_requestEncoding}\": supported encodings are gzip, identity");
        }
    }

    public async ValueTask InterceptAsync()
    {
        foreach (var interceptor in _interceptors)
        {
            await interceptor.OnCallAsync(Context);
        }
    }

    /// <summary>The single request message of a unary or server-streaming call.</summary>
    public async Task<IMessage> ReadSingleAsync()
    {
        if (!_streaming)
        {
            var body = await ReadBodyAsync();
            if (_requestEncoding == Compression.Gzip)
            {
                body = Compression.Inflate(body, _options.MaxMessageBytes);
            }

            return Decode(body);
        }

        IMessage? single = null;
        await foreach (var message in ReadStreamAsync<IMessage>())
        {
            if (single is not null)
            {
                throw new ConnectException(ConnectCode.InvalidArgument,
                    $"{_method.Procedure} takes exactly one request message: got more than one");
            }

            single = message;
        }

        return single ?? throw new ConnectException(ConnectCode.InvalidArgument,
            $"{_method.Procedure} takes exactly one request message: got none");
    }

    public async IAsyncEnumerable<T> ReadStreamAsync<T>()
        where T : class
    {
        var reader = _http.Request.BodyReader;
        var token = Context.CancellationToken;
        while (true)
        {
            var result = await reader.ReadAsync(token);
            var buffer = result.Buffer;
            if (!Envelope.TryRead(ref buffer, _options.MaxMessageBytes, out var flags, out var payload, out var oversized))
            {
                if (oversized is { } length)
                {
                    // Consume what was read, so the pipe is left in order and the error can still be written.
                    reader.AdvanceTo(buffer.End);
                    throw TooLarge($"request message of {length} bytes");
                }
            }
            else
            {
                var bytes = payload.ToArray();
                reader.AdvanceTo(buffer.Start);
                yield return (T)DecodeEnvelope(flags, bytes);
                continue;
            }

            if (result.IsCompleted)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (leftover > 0)
                {
                    throw new ConnectException(ConnectCode.InvalidArgument,
                        $"request stream ended inside an envelope ({leftover} stray bytes)");
                }

                yield break;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private IMessage DecodeEnvelope(byte flags, byte[] payload)
    {
        if ((flags & ~Envelope.Compressed) != 0)
        {
            throw new ConnectException(ConnectCode.InvalidArgument, $"invalid envelope flags 0x{flags:x2} in request stream");
        }

        if ((flags & Envelope.Compressed) != 0)
        {
            if (_requestEncoding is null or "" or Compression.Identity)
            {
                throw new ConnectException(ConnectCode.InvalidArgument,
                    "compressed envelope without a connect-content-encoding header");
            }

            payload = Compression.Inflate(payload, _options.MaxMessageBytes);
        }

        return Decode(payload);
    }

    private IMessage Decode(ReadOnlySpan<byte> payload)
    {
        var message = _codec.Parse(_method.Descriptor.InputType, payload);
        _feature.AddRequest(message);
        return message;
    }

    private async Task<byte[]> ReadBodyAsync()
    {
        if (_http.Request.ContentLength > _options.MaxMessageBytes)
        {
            throw TooLarge($"request body of {_http.Request.ContentLength} bytes");
        }

        var reader = _http.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(Context.CancellationToken);
            if (result.Buffer.Length > _options.MaxMessageBytes)
            {
                reader.AdvanceTo(result.Buffer.End);
                throw TooLarge("request body");
            }

            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private ConnectException TooLarge(string what) =>
        new(ConnectCode.ResourceExhausted, $"{what} exceeds the {_options.MaxMessageBytes}-byte message limit");

    public async Task WriteUnaryAsync(IMessage message)
    {
        _feature.AddResponse(message);
        var payload = _codec.Serialize(message);
        var response = _http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentTypes.Unary(_codec);
        if (_compressResponses && payload.Length >= _options.CompressMinBytes)
        {
            payload = Compression.Deflate(payload);
            response.Headers.ContentEncoding = Compression.Gzip;
        }

        response.ContentLength = payload.Length;
        await response.Body.WriteAsync(payload, Context.CancellationToken);
    }

    public async Task WriteStreamMessageAsync(IMessage message)
    {
        _feature.AddResponse(message);
        var payload = _codec.Serialize(message);
        byte flags = 0;
        if (_compressResponses && payload.Length >= _options.CompressMinBytes)
        {
            payload = Compression.Deflate(payload);
            flags = Envelope.Compressed;
        }

        await WriteFrameAsync(Envelope.Write(flags, payload));
    }

    private Task WriteEndAsync(ConnectException? error) =>
        WriteFrameAsync(Envelope.Write(Envelope.EndStream, ErrorBody.EndOfStream(error)));

    private async Task WriteFrameAsync(byte[] frame)
    {
        await _writeLock.WaitAsync(Context.CancellationToken);
        try
        {
            var response = _http.Response;
            if (!_streamStarted)
            {
                _streamStarted = true;
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = ContentTypes.Stream(_codec);
                if (_compressResponses)
                {
                    response.Headers["Connect-Content-Encoding"] = Compression.Gzip;
                }
            }

            await response.Body.WriteAsync(frame, Context.CancellationToken);
            await response.Body.FlushAsync(Context.CancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task WriteErrorAsync(ConnectException error)
    {
        var response = _http.Response;
        if (_streaming)
        {
            if (!_streamStarted && !response.HasStarted)
            {
                response.Headers.Clear();
            }

            await WriteFrameAsync(Envelope.Write(Envelope.EndStream, ErrorBody.EndOfStream(error)));
            return;
        }

        if (response.HasStarted)
        {
            return;
        }

        response.Clear();
        response.StatusCode = ConnectCodes.HttpStatus(error.Code);
        response.ContentType = "application/json";
        foreach (var (name, values) in error.Metadata)
        {
            response.Headers[name] = values;
        }

        await response.Body.WriteAsync(ErrorBody.Error(error));
    }

    /// <summary>Parser messages may quote the request; an error repeats at most this much of it.</summary>
    private static string Cap(string message) => message.Length <= 512 ? message : message[..512] + "…";

    private static ConnectException Classify(Exception e, bool deadlinePassed, ConnectOptions options,
        ConnectMethod method, ILogger logger)
    {
        if (options.ExceptionMapper?.Invoke(e) is { } mapped)
        {
            return mapped;
        }

        switch (e)
        {
            case ConnectException connect:
                return connect;
            case OperationCanceledException when deadlinePassed:
                return new ConnectException(ConnectCode.DeadlineExceeded, "the connect-timeout-ms deadline passed");
            case InvalidProtocolBufferException or InvalidJsonException or JsonException or FormatException:
                return new ConnectException(ConnectCode.InvalidArgument,
                    $"request is not a valid {method.Descriptor.InputType.FullName}: {Cap(e.Message)}");
            case BadHttpRequestException bad:
                return new ConnectException(
                    bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? ConnectCode.ResourceExhausted : ConnectCode.InvalidArgument,
                    Cap(bad.Message));
            default:
                ConnectLog.HandlerFailed(logger, method.Procedure, e);
                return new ConnectException(ConnectCode.Internal,
                    options.DetailedErrors ? e.ToString() : "internal error in " + method.Procedure);
        }
    }
}
