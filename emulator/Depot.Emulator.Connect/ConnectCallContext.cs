using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;

namespace Depot.Emulator.Connect;

/// <summary>What a handler knows about the call it serves.</summary>
public sealed class ConnectCallContext
{
    internal ConnectCallContext(HttpContext httpContext, MethodDescriptor method, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        CancellationToken = cancellationToken;
    }

    public HttpContext HttpContext { get; }

    public MethodDescriptor Method { get; }

    /// <summary>Cancelled when the client goes away or the <c>Connect-Timeout-Ms</c> deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Full procedure name, e.g. <c>depot.core.v1.ProjectService/ListProjects</c>.</summary>
    public string Procedure => ConnectMethod.ProcedureName(Method);

    public string? RequestHeader(string name)
    {
        var values = HttpContext.Request.Headers[name];
        return values.Count == 0 ? null : values[0];
    }
}

/// <summary>
/// Records what a call decoded and answered so that host middleware (a journal, say) can see the exchange
/// without knowing the protocol.
/// </summary>
public interface IConnectCallFeature
{
    MethodDescriptor Method { get; }

    IReadOnlyList<IMessage> Requests { get; }

    IReadOnlyList<IMessage> Responses { get; }

    ConnectException? Error { get; }
}

internal sealed class ConnectCallFeature(MethodDescriptor method) : IConnectCallFeature
{
    private readonly List<IMessage> _requests = [];
    private readonly List<IMessage> _responses = [];

    public MethodDescriptor Method { get; } = method;

    public IReadOnlyList<IMessage> Requests => _requests;

    public IReadOnlyList<IMessage> Responses => _responses;

    public ConnectException? Error { get; set; }

    public void AddRequest(IMessage message)
    {
        lock (_requests)
        {
            _requests.Add(message);
        }
    }

    public void AddResponse(IMessage message)
    {
        lock (_responses)
        {
            _responses.Add(message);
        }
    }
}

/// <summary>
/// Runs for every call after its method is resolved and before its body is read; throwing a
/// <see cref="ConnectException"/> ends the call with that error.
/// </summary>
public interface IConnectInterceptor
{
    ValueTask OnCallAsync(ConnectCallContext context);
}
