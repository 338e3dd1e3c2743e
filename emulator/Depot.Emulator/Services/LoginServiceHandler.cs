using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Cli.V1Beta1;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Login;

namespace Depot.Emulator.Services;

/// <summary><c>depot.cli.v1beta1.LoginService</c>: device login, approved in the browser or through the control plane.</summary>
internal sealed class LoginServiceHandler(LoginRequests logins, PublicUrls urls, EmulatorOptions options) : IConnectService
{
    private static readonly ServiceDescriptor Service = LoginReflection.Descriptor.FindTypeByName<ServiceDescriptor>("LoginService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<StartLoginRequest, StartLoginResponse>(Service.FindMethodByName("StartLogin"), StartLogin)
        .ServerStreaming<FinishLoginRequest, FinishLoginResponse>(Service.FindMethodByName("FinishLogin"), FinishLogin);

    private Task<StartLoginResponse> StartLogin(StartLoginRequest request, ConnectCallContext context)
    {
        var login = logins.Start();
        return Task.FromResult(new StartLoginResponse
        {
            Id = login.Id,
            ApproveUrl = $"{urls.Base(context.HttpContext)}/_emulator/login/{login.Id}",
        });
    }

    private async Task FinishLogin(FinishLoginRequest request, IConnectStreamWriter<FinishLoginResponse> stream, ConnectCallContext context)
    {
        var token = await logins.WaitAsync(request.Id, options.LoginTimeout, context.CancellationToken);
        await stream.WriteAsync(new FinishLoginResponse { Token = token });
    }
}
