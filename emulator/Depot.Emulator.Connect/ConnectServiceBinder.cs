using Depot.Emulator.Connect.Internal;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Depot.Emulator.Connect;

/// <summary>Collects the methods one service class serves, checked against their protobuf descriptors.</summary>
public sealed class ConnectServiceBinder
{
    private readonly List<ConnectMethod> _methods = [];

    internal IReadOnlyList<ConnectMethod> Methods => _methods;

    public ConnectServiceBinder Unary<TRequest, TResponse>(
        MethodDescriptor method, Func<TRequest, ConnectCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        Check<TRequest, TResponse>(method, ConnectMethodKind.Unary);
        _methods.Add(new ConnectMethod(method, ConnectMethodKind.Unary, async call =>
        {
            var request = (TRequest)await call.ReadSingleAsync();
            var response = await handler(request, call.Context);
            await call.WriteUnaryAsync(response);
        }));
        return this;
    }

    public ConnectServiceBinder ServerStreaming<TRequest, TResponse>(
        MethodDescriptor method, Func<TRequest, IConnectStreamWriter<TResponse>, ConnectCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        Check<TRequest, TResponse>(method, ConnectMethodKind.ServerStreaming);
        _methods.Add(new ConnectMethod(method, ConnectMethodKind.ServerStreaming, async call =>
        {
            var request = (TRequest)await call.ReadSingleAsync();
            await handler(request, new StreamWriter<TResponse>(call), call.Context);
        }));
        return this;
    }

    public ConnectServiceBinder ClientStreaming<TRequest, TResponse>(
        MethodDescriptor method, Func<IAsyncEnumerable<TRequest>, ConnectCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        Check<TRequest, TResponse>(method, ConnectMethodKind.ClientStreaming);
        _methods.Add(new ConnectMethod(method, ConnectMethodKind.ClientStreaming, async call =>
        {
            var response = await handler(call.ReadStreamAsync<TRequest>(), call.Context);
            await call.WriteStreamMessageAsync(response);
        }));
        return this;
    }

    private static void Check<TRequest, TResponse>(MethodDescriptor method, ConnectMethodKind kind)
    {
        var actual = method.IsClientStreaming && method.IsServerStreaming ? "bidi-streaming"
            : method.IsClientStreaming ? nameof(ConnectMethodKind.ClientStreaming)
            : method.IsServerStreaming ? nameof(ConnectMethodKind.ServerStreaming)
            : nameof(ConnectMethodKind.Unary);
        if (actual != kind.ToString())
        {
            throw new InvalidOperationException(
                $"{ConnectMethod.ProcedureName(method)} is {actual} in its schema but was bound as {kind}.");
        }

        if (method.InputType.ClrType != typeof(TRequest) || method.OutputType.ClrType != typeof(TResponse))
        {
            throw new InvalidOperationException(
                $"{ConnectMethod.ProcedureName(method)} takes {method.InputType.ClrType.Name} and returns " +
                $"{method.OutputType.ClrType.Name}; the handler was bound with {typeof(TRequest).Name} and {typeof(TResponse).Name}.");
        }
    }

    private sealed class StreamWriter<T>(ConnectCall call) : IConnectStreamWriter<T>
        where T : IMessage
    {
        public Task WriteAsync(T message) => call.WriteStreamMessageAsync(message);
    }
}

/// <summary>A class that serves one protobuf service over Connect.</summary>
public interface IConnectService
{
    void Bind(ConnectServiceBinder binder);
}
