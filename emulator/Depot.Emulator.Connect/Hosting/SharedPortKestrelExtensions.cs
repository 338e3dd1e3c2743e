using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Depot.Emulator.Connect.Hosting;

public static class SharedPortKestrelExtensions
{
    /// <summary>Listens on <paramref name="host"/>:<paramref name="port"/> for HTTP/1.1 and h2c alike.</summary>
    public static IWebHostBuilder UseSharedPort(this IWebHostBuilder builder, string host, int port) =>
        builder
            .ConfigureServices(services =>
            {
                services.AddSingleton<SharedPortTransportFactory>();
                services.AddSingleton<IConnectionListenerFactory>(sp => sp.GetRequiredService<SharedPortTransportFactory>());
            })
            .ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(new SharedPortEndPoint(host, port, HttpProtocols.Http1), o => o.Protocols = HttpProtocols.Http1);
                kestrel.Listen(new SharedPortEndPoint(host, port, HttpProtocols.Http2), o => o.Protocols = HttpProtocols.Http2);
            });
}
