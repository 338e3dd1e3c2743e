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
        foreach (var operation in ProcedureCalls.TokenOperations(Matrix))
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

        var asProject = await _emulator.Connect.CallNamingProjectAsync(method, "test-proj-web");
        var asCi = await _emulator.Connect.CallNamingProjectAsync(method, jwt);

        Assert.True(asProject.Status == asCi.Status && asProject.Code == asCi.Code,
            $"project token: {asProject.Status} {asProject.Code} {asProject.Message}; {provider} token: {asCi.Status} {asCi.Code} {asCi.Message}");
        Assert.NotEqual(500, asCi.Status);
        if (asCi.Code == "permission_denied")
        {
            Assert.Equal(Matrix.Decide(TokenType.TrustRelationship, Matrix.Operation(procedure)).Reason, asCi.Message);
        }
    }
}
