using Depot.Emulator.BuildKit.Dockerfiles;

namespace Depot.Emulator.Tests.BuildKit;

public class IgnorePatternsTests
{
    private static readonly IgnorePatterns Rules = IgnorePatterns.Parse("""
        # build output
        node_modules
        *.log
        **/*.tmp
        docs/
        !docs/keep.md
        /secret?.txt
        """);

    [Theory]
    [InlineData("node_modules", true)]
    [InlineData("node_modules/a/b.js", true)]
    [InlineData("app.log", true)]
    [InlineData("logs/app.log", false)]
    [InlineData("a/b/c.tmp", true)]
    [InlineData("c.tmp", true)]
    [InlineData("docs/guide.md", true)]
    [InlineData("docs/keep.md", false)]
    [InlineData("secret1.txt", true)]
    [InlineData("secret10.txt", false)]
    [InlineData("src/main.go", false)]
    public void Later_rules_win_and_directories_cover_their_contents(string path, bool excluded) =>
        Assert.Equal(excluded, Rules.Excludes(path));

    [Fact]
    public void No_rules_exclude_nothing() => Assert.False(IgnorePatterns.None.Excludes("anything"));
}
