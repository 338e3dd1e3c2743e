using Depot.Emulator.Connect.Internal;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Depot.Emulator.Connect;

public enum ConnectMethodKind
{
    Unary,
    ServerStreaming,
    ClientStreaming,
}

/// <summary>Endpoint metadata: the protobuf method an endpoint serves.</summary>
public sealed class ConnectMethod
{
    internal ConnectMethod(MethodDescriptor descriptor, ConnectMethodKind kind, ConnectCallHandler handler)
    {
        Descriptor = descriptor;
        Kind = kind;
        Handler = handler;
    }

    public MethodDescriptor Descriptor { get; }

    public ConnectMethodKind Kind { get; }

    public string Procedure => ProcedureName(Descriptor);

    internal ConnectCallHandler Handler { get; }

    public static string ProcedureName(MethodDescriptor method) => $"{method.Service.FullName}/{method.Name}";

    public override string ToString() => Procedure;
}

/// <summary>Stream of responses a server-streaming handler writes to.</summary>
public interface IConnectStreamWriter<in T>
    where T : IMessage
{
    Task WriteAsync(T message);
}

internal delegate Task ConnectCallHandler(ConnectCall call);
