using Depot.Emulator.Testcontainers;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Packaging;

/// <summary>
/// The image docker/Dockerfile makes, as scripts/docker-image.sh builds it (tag in <c>DEPOT_EMULATOR_IMAGE</c>, default
/// <c>depot-emulator:latest</c>), started through the Testcontainers module. These tests need a Docker engine: without
/// one they fail, they never pass silently (.ci/run starts one).
/// </summary>
public static class EmulatorImage
{
    static EmulatorImage()
    {
        // Debian's dockerd 20.10 speaks Docker API 1.41 at most; Ryuk's image cannot be pulled offline, and every
        // container here is disposed by its test.
        Default("DOCKER_API_VERSION", "1.41");
        Default("TESTCONTAINERS_RYUK_DISABLED", "true");
    }

    public static string Name { get; } = Environment.GetEnvironmentVariable("DEPOT_EMULATOR_IMAGE") is { Length: > 0 } image ? image : DepotEmulatorBuilder.DepotEmulatorImage;

    public static DepotEmulatorBuilder Builder()
    {
        var inspect = Docker("image", "inspect", "--format", "{{.Id}}", Name).GetAwaiter().GetResult();
        if (inspect.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException(
                $"the image {Name} is not there ({inspect.Output.Trim()}): build it with bash scripts/docker-image.sh, as .ci/run does");
        }

        return new DepotEmulatorBuilder(Name);
    }

    /// <summary>The docker CLI, for what a person would check by hand: inspect, stop.</summary>
    public static Task<ProcessResult> Docker(params string[] args) =>
        RealClients.RunAsync("docker", args, new Dictionary<string, string?>(), TimeSpan.FromSeconds(60));

    private static void Default(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
