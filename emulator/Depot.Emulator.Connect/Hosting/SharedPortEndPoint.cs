using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Depot.Emulator.Connect.Hosting;

/// <summary>
/// One of the two views Kestrel binds on a shared port: it receives only the connections whose first bytes
/// say they speak <see cref="Protocols"/>.
/// </summary>
public sealed class SharedPortEndPoint(string host, int port, HttpProtocols protocols) : EndPoint
{
    public string Host { get; } = host;

    public int Port { get; } = port;

    public HttpProtocols Protocols { get; } = protocols;

    public override string ToString() => $"{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}";
}
