using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Depot.Emulator.Tests.Host;

/// <summary>Every served procedure × every token type, generated from the matrix data, through the in-memory host.</summary>
public class MatrixEnforcementTests : IAsyncLifetime
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();
    private InMemoryEmulator _emulator = null!;

    public async ValueTask InitializeAsync() => _emulator = await InMemoryEmulator.StartAsync();

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    public static TheoryData<string, TokenType> Cells()
    {
        var data = new TheoryData<string, TokenType>();
        foreach (var operation in ProcedureCalls.TokenOperations(Matrix))
        {
            foreach (var type in TokenTypes.All)
            {
                data.Add(operation.Name, type);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_token_type_gets_the_matrix_answer(string procedure, TokenType type)
    {
        var method = Method(procedure);
        var decision = Matrix.Decide(type, Matrix.Operation(procedure));

        var result = await _emulator.Connect.CallNamingProjectAsync(method, TestSeeds.Secret(type));

        if (decision.IsAllowed)
        {
            Assert.NotEqual(401, result.Status);
            Assert.False(result.Code == "permission_denied" && result.Message!.Contains("cannot use"),
                $"{type.Name()} was refused {procedure}: {result.Message}");
            Assert.NotEqual(500, result.Status);
        }
        else
        {
            Assert.Equal(403, result.Status);
            Assert.Equal("permission_denied", result.Code);
            Assert.Equal(decision.Reason, result.Message);
            Assert.Contains(type.Name(), result.Message);
            Assert.Contains(Matrix.Operation(procedure).Service.Title, result.Message);
        }
    }

    public static TheoryData<string> TokenProcedures()
    {
        var data = new TheoryData<string>();
        foreach (var operation in ProcedureCalls.TokenOperations(Matrix))
        {
            data.Add(operation.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TokenProcedures))]
    public async Task Without_a_valid_token_every_procedure_is_unauthenticated(string procedure)
    {
        foreach (var token in new string?[] { null, "not-a-depot-token" })
        {
            var result = await _emulator.Connect.CallNamingProjectAsync(Method(procedure), token);
            Assert.Equal(401, result.Status);
            Assert.Equal("unauthenticated", result.Code);
        }
    }

    [Fact]
    public void Every_served_procedure_has_a_row_and_every_row_is_served()
    {
        var registry = _emulator.Service<ConnectRegistry>();
        var served = registry.Methods.Select(m => m.Procedure).Order().ToList();
        var rows = Matrix.Operations.Select(o => o.Name).Where(n => n.Contains('/')).Order().ToList();
        Assert.Equal(rows, served);
    }

    private MethodDescriptor Method(string procedure) =>
        _emulator.Service<ConnectRegistry>().Methods.Single(m => m.Procedure == procedure).Descriptor;
}
