namespace Depot.Emulator.Tests.Support;

/// <summary>Build contexts on disk for the real CLI to send.</summary>
public static class BuildContexts
{
    public const string ThreeSteps = "FROM alpine:3.19\nRUN echo hello\nCOPY . /app\n";

    /// <summary>A fresh directory named <c>app</c> holding the Dockerfile and the files given.</summary>
    public static string Create(string dockerfile = ThreeSteps, params (string Path, string Text)[] files)
    {
        var dir = Path.Combine(Path.GetTempPath(), "depot-emulator-contexts", Guid.NewGuid().ToString("N"), "app");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), dockerfile);
        foreach (var (path, text) in files.Length == 0 ? [("hello.txt", "hello\n")] : files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        return dir;
    }
}
