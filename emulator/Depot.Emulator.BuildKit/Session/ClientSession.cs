using System.Net;
using Grpc.Core;
using Grpc.Net.Client;

namespace Depot.Emulator.BuildKit.Session;

/// <summary>
/// One client's session: the services it offers (files of its build context, registry credentials) reached
/// by gRPC over the session's own bytes.
/// </summary>
internal sealed class ClientSession : IAsyncDisposable
{
    private readonly SessionStream _stream;
    private readonly GrpcChannel _channel;
    private int _connected;

    public ClientSession(string id, string name, IReadOnlyCollection<string> methods, SessionStream stream)
    {
        Id = id;
        Name = name;
        Methods = methods;
        _stream = stream;
        var handler = new SocketsHttpHandler
        {
            // The session is one byte stream: exactly one HTTP/2 connection ever runs on it.
            ConnectCallback = (_, _) => Interlocked.Exchange(ref _connected, 1) == 0
                ? ValueTask.FromResult<Stream>(_stream)
                : throw new HttpRequestException($"session {Id} is closed"),
            EnableMultipleHttp2Connections = false,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        _channel = GrpcChannel.ForAddress("http://" + Uri.EscapeDataString(name.Length > 0 ? name : "session"), new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = 32 * 1024 * 1024,
            MaxSendMessageSize = 32 * 1024 * 1024,
        });
    }

    public string Id { get; }

    /// <summary>What the client called its session: the base name of its working directory.</summary>
    public string Name { get; }

    /// <summary>The methods the client serves, as <c>/package.Service/Method</c>.</summary>
    public IReadOnlyCollection<string> Methods { get; }

    public CallInvoker Invoker => _channel.CreateCallInvoker();

    public Task Closed => _stream.Closed;

    public bool Serves(string method) => Methods.Contains(method, StringComparer.OrdinalIgnoreCase);

    public Task<SyncedDirectory> FetchAsync(SyncRequest request, CancellationToken cancellationToken) =>
        Serves(FileSyncReceiver.Method)
            ? FileSyncReceiver.FetchAsync(Invoker, request, cancellationToken)
            : throw new IOException("the client's session offers no local sources");

    /// <summary>Writes a tarball where the client's exporter <paramref name="exporterId"/> puts it (a file, stdout, docker load).</summary>
    public Task ExportFileAsync(int exporterId, byte[] data, CancellationToken cancellationToken) =>
        Serves(ExportTarget.Method)
            ? ExportTarget.SendFileAsync(Invoker, exporterId, data, cancellationToken)
            : throw new IOException("the client's session offers no export target (moby.filesync.v1.FileSend)");

    /// <summary>Writes a file tree into the client's output directory.</summary>
    public Task ExportDirectoryAsync(int exporterId, Dockerfiles.VirtualFs files, DateTimeOffset modified, CancellationToken cancellationToken) =>
        Serves(ExportTarget.Method)
            ? ExportTarget.SendDirectoryAsync(Invoker, exporterId, files, modified, cancellationToken)
            : throw new IOException("the client's session offers no export target (moby.filesync.v1.FileSend)");

    /// <summary>The client's credentials for a registry host, when it has any.</summary>
    public async Task<Images.RegistryCredentials?> CredentialsAsync(string host, CancellationToken cancellationToken)
    {
        if (!Serves("/moby.filesync.v1.Auth/Credentials"))
        {
            return null;
        }

        var response = await new Moby.FileSync.V1.Auth.AuthClient(Invoker).CredentialsAsync(
            new Moby.FileSync.V1.CredentialsRequest { Host = host }, cancellationToken: cancellationToken);
        return response.Username.Length == 0 && response.Secret.Length == 0 ? null
            : new Images.RegistryCredentials(response.Username, response.Secret);
    }

    public async Task<bool> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var health = new Grpc.Health.V1.Health.HealthClient(Invoker);
        var response = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), cancellationToken: cancellationToken);
        return response.Status == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _stream.DisposeAsync();
    }
}
