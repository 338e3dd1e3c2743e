using Depot.Emulator.Connect;
using Depot.Emulator.Tests.Connect.Echo;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Depot.Emulator.Tests.Connect;

/// <summary>The Connect layer alone, with nothing of Depot, serving <c>connecttest.v1.EchoService</c>.</summary>
internal sealed class EchoService : IConnectService
{
    private static readonly ServiceDescriptor Service = EchoReflection.Descriptor.FindTypeByName<ServiceDescriptor>("EchoService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<SayRequest, SayResponse>(Service.FindMethodByName("Say"), Say)
        .ServerStreaming<RepeatRequest, SayResponse>(Service.FindMethodByName("Repeat"), Repeat)
        .ClientStreaming<SayRequest, CollectResponse>(Service.FindMethodByName("Collect"), Collect);

    private static async Task<SayResponse> Say(SayRequest request, ConnectCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(request.DelayMs, context.CancellationToken);
        }

        return request.FailWith switch
        {
            "" => new SayResponse { Text = request.Text, BigNumber = request.BigNumber },
            "crash" => throw new InvalidOperationException("secret internals"),
            var code => throw new ConnectException(Enum.Parse<ConnectCode>(code), "asked to fail"),
        };
    }

    private static async Task Repeat(RepeatRequest request, IConnectStreamWriter<SayResponse> stream, ConnectCallContext context)
    {
        for (var i = 0; i < request.Times; i++)
        {
            await stream.WriteAsync(new SayResponse { Text = $"{request.Text} {i}" });
        }

        if (request.FailWith.Length > 0)
        {
            throw new ConnectException(Enum.Parse<ConnectCode>(request.FailWith), "failed after writing");
        }
    }

    private static async Task<CollectResponse> Collect(IAsyncEnumerable<SayRequest> requests, ConnectCallContext context)
    {
        var response = new CollectResponse();
        await foreach (var request in requests)
        {
            response.Texts.Add(request.Text);
        }

        return response;
    }

    public static async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddConnect(o => o.CompressMinBytes = 64);
        var app = builder.Build();
        app.UseConnectPathPrefix();
        app.UseRouting();
        app.MapConnectService<EchoService>();
        await app.StartAsync();
        return app;
    }
}
