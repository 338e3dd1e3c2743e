using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Matrix;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Depot.Emulator.Tests.Support;

/// <summary>Calls any served procedure generically, for tests generated from the matrix data.</summary>
public static class ProcedureCalls
{
    /// <summary>The Connect operations that read a token, in a stable order.</summary>
    public static IEnumerable<OperationInfo> TokenOperations(PermissionMatrix matrix) =>
        matrix.Operations.Where(o => o.Name.Contains('/') && o.Service.RequiresToken).OrderBy(o => o.Name, StringComparer.Ordinal);

    /// <summary>Sends the empty request, naming <paramref name="project"/> wherever the request has a project.</summary>
    public static Task<ConnectResult<byte[]>> CallNamingProjectAsync(this ConnectTestClient client, MethodDescriptor method,
        string? token, string project = "proj-web")
    {
        var request = method.InputType.Parser.ParseFrom(ByteString.Empty);
        if (method.InputType.FindFieldByName("project_id") is { FieldType: FieldType.String } field)
        {
            field.Accessor.SetValue(request, project);
        }

        return method.IsClientStreaming || method.IsServerStreaming
            ? client.CallStreamAsync(ConnectMethod.ProcedureName(method), request, token)
            : client.CallAsync(ConnectMethod.ProcedureName(method), request, token);
    }
}
