using Depot.Emulator.Domain.Matrix;

namespace Depot.Emulator.Tests.Unit;

public class PermissionMatrixTests
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();

    [Fact]
    public void Every_service_has_a_grant_for_every_token_type()
    {
        Assert.Equal(6, Matrix.Services.Count);
        foreach (var service in Matrix.Services)
        {
            foreach (var type in TokenTypes.All)
            {
                _ = Matrix.GrantFor(type, service);
            }
        }
    }
}
