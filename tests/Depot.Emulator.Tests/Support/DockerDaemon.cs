namespace Depot.Emulator.Tests.Support;

/// <summary>
/// The machine's Docker daemon, which <c>depot build --load</c> and <c>depot pull</c> put images into. Tests that
/// need it fail, never skip, where it is missing: <c>bash scripts/docker-up.sh</c> (which .ci/run calls) starts one.
/// </summary>
public static class DockerDaemon
{
    /// <summary>
    /// The environment a client needs for this daemon: its API version, since the CLI's Docker client asks for a
    /// newer one than Debian's docker.io (20.10, API 1.41) answers and does not negotiate down.
    /// </summary>
    public static async Task<Dictionary<string, string?>> RequireAsync()
    {
        var version = await RunAsync("version", "--format", "{{.Server.APIVersion}}");
        if (version.ExitCode != 0 || version.Stdout.Trim().Length == 0)
        {
            throw new Xunit.Sdk.XunitException(
                $"no Docker daemon answers (docker version: {version.Output.Trim()}): run `bash scripts/docker-up.sh`, as .ci/run does");
        }

        return new Dictionary<string, string?> { ["DOCKER_API_VERSION"] = version.Stdout.Trim() };
    }

    /// <summary>The tag of an image a test loads (fixed, as the exchanges it appears in are pinned), removed by <see cref="RemoveAsync"/>.</summary>
    public static string TestTag(string name) => $"depot-emulator-test/{name}:v1";

    public static Task<ProcessResult> InspectAsync(string image, string format) => RunAsync("image", "inspect", "--format", format, image);

    public static Task<ProcessResult> RemoveAsync(params string[] images) => RunAsync(["image", "rm", "--force", .. images]);

    private static Task<ProcessResult> RunAsync(params string[] args)
    {
        var docker = new[] { "/usr/bin/docker", "/usr/local/bin/docker" }.FirstOrDefault(File.Exists)
            ?? throw new Xunit.Sdk.XunitException("docker is missing: install Debian's docker.io and run `bash scripts/docker-up.sh`, as .ci/run does");
        return RealClients.RunAsync(docker, args, new Dictionary<string, string?>(), TimeSpan.FromSeconds(120));
    }
}
