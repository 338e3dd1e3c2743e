using System.Buffers;
using System.IO.Pipelines;
using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Depot.Emulator.Connect.Hosting;

/// <summary>
/// Serves HTTP/1.1 and cleartext HTTP/2 with prior knowledge on one TCP port. Kestrel picks a connection's
/// protocol per endpoint, so the port is bound once here and every accepted connection is handed to the
/// HTTP/1.1 or the HTTP/2 view according to whether it opens with the 24-byte HTTP/2 preface.
/// </summary>
public sealed class SharedPortTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _sockets;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Host, int Port), SharedSocket> _shared = new();

    public SharedPortTransportFactory(IOptions<SocketTransportOptions> options, ILoggerFactory loggers)
    {
        _sockets = new SocketTransportFactory(options, loggers);
        _logger = loggers.CreateLogger<SharedPortTransportFactory>();
    }

    /// <summary>The port actually bound for a requested host and port (which may be 0).</summary>
    public int? BoundPort(string host, int requestedPort) =>
        _shared.TryGetValue((host, requestedPort), out var shared) ? shared.Port : null;

    public bool CanBind(EndPoint endpoint) => endpoint is SharedPortEndPoint;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var requested = (SharedPortEndPoint)endpoint;
        var shared = _shared.GetOrAdd((requested.Host, requested.Port), key => new SharedSocket(_sockets, key.Host, key.Port, _logger));
        await shared.StartAsync(cancellationToken);
        return shared.View(requested.Protocols);
    }

    private sealed class SharedSocket(SocketTransportFactory sockets, string host, int port, ILogger logger)
    {
        private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
        private static readonly TimeSpan SniffTimeout = TimeSpan.FromSeconds(10);

        private readonly SemaphoreSlim _startLock = new(1, 1);
        private readonly Channel<ConnectionContext> _http1 = Channel.CreateUnbounded<ConnectionContext>();
        private readonly Channel<ConnectionContext> _http2 = Channel.CreateUnbounded<ConnectionContext>();
        private readonly List<IConnectionListener> _listeners = [];
        private readonly CancellationTokenSource _stopping = new();
        private int _openViews;
        private int _boundViews;

        public int Port { get; private set; } = port;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await _startLock.WaitAsync(cancellationToken);
            try
            {
                _openViews++;
                _boundViews++;
                if (_listeners.Count > 0)
                {
                    return;
                }

                foreach (var address in Addresses(host))
                {
                    try
                    {
                        var listener = await sockets.BindAsync(new IPEndPoint(address, Port), cancellationToken);
                        Port = ((IPEndPoint)listener.EndPoint).Port;
                        _listeners.Add(listener);
                        _ = AcceptLoopAsync(listener);
                    }
                    catch (Exception e) when (_listeners.Count > 0)
                    {
                        // The second loopback family is a convenience; a machine without IPv6 still serves IPv4.
                        logger.LogDebug(e, "Could not also bind {Address}:{Port}", address, Port);
                    }
                }
            }
            finally
            {
                _startLock.Release();
            }
        }

        public IConnectionListener View(HttpProtocols protocols) =>
            new ViewListener(this, protocols == HttpProtocols.Http2 ? _http2 : _http1,
                new SharedPortEndPoint(host, Port, protocols));

        private static IPAddress[] Addresses(string host) => host switch
        {
            "localhost" => [IPAddress.Loopback, IPAddress.IPv6Loopback],
            "*" or "0.0.0.0" or "+" => [IPAddress.Any],
            "::" or "[::]" => [IPAddress.IPv6Any],
            _ => [IPAddress.Parse(host.Trim('[', ']'))],
        };

        private async Task AcceptLoopAsync(IConnectionListener listener)
        {
            while (!_stopping.IsCancellationRequested)
            {
                ConnectionContext? connection;
                try
                {
                    connection = await listener.AcceptAsync(_stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Accept failed on port {Port}", Port);
                    continue;
                }

                if (connection is null)
                {
                    return;
                }

                _ = RouteAsync(connection);
            }
        }

        private async Task RouteAsync(ConnectionContext connection)
        {
            var http2 = false;
            try
            {
                http2 = await StartsWithPrefaceAsync(connection);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Connection {Id} closed before it spoke", connection.ConnectionId);
            }

            var target = http2 ? _http2 : _http1;
            if (!target.Writer.TryWrite(connection))
            {
                await connection.DisposeAsync();
            }
        }

        /// <summary>Peeks at the first bytes without consuming them, so Kestrel reads them again.</summary>
        private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection)
        {
            using var timeout = new CancellationTokenSource(SniffTimeout);
            var input = connection.Transport.Input;
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }

                var buffer = result.Buffer;
                var length = (int)Math.Min(buffer.Length, Preface.Length);
                var head = buffer.Slice(0, length).ToArray();
                var matches = head.AsSpan().SequenceEqual(Preface.AsSpan(0, length));
                if (!matches || length == Preface.Length || result.IsCompleted)
                {
                    input.AdvanceTo(buffer.Start);
                    return matches && length == Preface.Length;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        /// <summary>Stops accepting once every view is unbound; connections already handed out go on.</summary>
        public async ValueTask UnbindViewAsync()
        {
            await _startLock.WaitAsync();
            try
            {
                if (--_boundViews > 0)
                {
                    return;
                }

                _stopping.Cancel();
                _http1.Writer.TryComplete();
                _http2.Writer.TryComplete();
                foreach (var listener in _listeners)
                {
                    await listener.UnbindAsync();
                }
            }
            finally
            {
                _startLock.Release();
            }
        }

        /// <summary>Releases the sockets (and their memory pools) once Kestrel has drained and disposed every view.</summary>
        public async ValueTask DisposeViewAsync()
        {
            await _startLock.WaitAsync();
            try
            {
                if (--_openViews > 0)
                {
                    return;
                }

                _stopping.Cancel();
                _http1.Writer.TryComplete();
                _http2.Writer.TryComplete();
                foreach (var listener in _listeners)
                {
                    await listener.DisposeAsync();
                }

                _listeners.Clear();
            }
            finally
            {
                _startLock.Release();
            }
        }
    }

    private sealed class ViewListener(SharedSocket shared, Channel<ConnectionContext> channel, EndPoint endPoint)
        : IConnectionListener
    {
        private int _unbound;
        private int _disposed;

        public EndPoint EndPoint { get; } = endPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await channel.Reader.ReadAsync(cancellationToken);
            }
            catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
            {
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) =>
            Interlocked.Exchange(ref _unbound, 1) == 0 ? shared.UnbindViewAsync() : ValueTask.CompletedTask;

        public async ValueTask DisposeAsync()
        {
            await UnbindAsync();
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await shared.DisposeViewAsync();
            }
        }
    }
}
