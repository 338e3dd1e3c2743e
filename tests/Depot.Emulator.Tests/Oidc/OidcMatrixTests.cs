using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Depot.Emulator.Tests.Oidc;

/// <summary>A trusted CI token gets, on every served procedure, the answer a project token of that project gets.</summary>
public class OidcMatrixTests : IAsyncLifetime
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();
    private InMemoryEmulator _emulator = null!;

    public async ValueTask InitializeAsync() => _emulator = await InMemoryEmulator.StartAsync("--seed", OidcTestSupport.SeedPath);

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var operation in Matrix.Operations.Where(o => o.Name.Contains('/') && o.Service.RequiresToken).OrderBy(o => o.Name))
        {
            foreach (var provider in OidcTestSupport.Providers)
            {
                data.Add(operation.Name, provider);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Ci_token_is_answered_as_the_project_token(string procedure, string provider)
    {
        var method = _emulator.Service<ConnectRegistry>().Methods.Single(m => m.Procedure == procedure).Descriptor;
        var jwt = await OidcTestSupport.MintAsync(_emulator.Http, provider);

        var asProject = await CallAsync(method, "test-proj-web");
        var asCi = await CallAsync(method, jwt);

        Assert.True(asProject.Status == asCi.Status && asProject.Code == asCi.Code,
            $"project token: {asProject.Status} {asProject.Code} {asProject.Message}; {provider} token: {asCi.Status} {asCi.Code} {asCi.Message}");
        Assert.NotEqual(500, asCi.Status);
        if (asCi.Code == "permission_denied")
        {
            Assert.Equal(Matrix.Decide(TokenType.TrustRelationship, Matrix.Operation(procedure)).Reason, asCi.Message);
        }
    }

    private async Task<ConnectResult<byte[]>> CallAsync(MethodDescriptor method, string token)
    {
        var request = method.InputType.Parser.ParseFrom(ByteString.Empty);
        if (method.InputType.FindFieldByName("project_id") is { FieldType: FieldType.String } field)
        {
            field.Accessor.SetValue(request, "proj-web");
        }

        return await _emulator.Connect.CallAsync(ConnectMethod.ProcedureName(method), request, token);
    }
}
