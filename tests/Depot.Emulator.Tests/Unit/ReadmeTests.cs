using Depot.Emulator.ControlPlane;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Unit;

public class ReadmeTests
{
    [Fact]
    public void The_readme_shows_the_matrix_the_emulator_enforces()
    {
        var readme = File.ReadAllText(Path.Combine(RealClients.TestsDirectory, "..", "README.md"));
        const string begin = "<!-- matrix:begin -->\n", end = "<!-- matrix:end -->";
        var start = readme.IndexOf(begin, StringComparison.Ordinal) + begin.Length;
        var shown = readme[start..readme.IndexOf(end, StringComparison.Ordinal)];
        // Regenerate with: curl 'localhost:4500/_emulator/matrix?format=markdown'
        Assert.Equal(MatrixDocument.Markdown(PermissionMatrix.Load()), shown);
    }
}
