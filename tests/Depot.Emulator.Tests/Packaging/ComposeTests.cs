using System.Net;
using System.Net.Sockets;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Packaging;

/// <summary>docker/compose.yaml: the job with the real depot CLI starts once the emulator is healthy, and succeeds.</summary>
public sealed class ComposeTests
{
    [Fact]
    public async Task The_compose_job_runs_the_real_cli_against_the_emulator_service()
    {
        _ = EmulatorImage.Builder();  // fails loudly when the image is not built
        _ = RealClients.DepotCli;     // the job mounts the installed CLI
        var compose = Path.Combine(Path.GetDirectoryName(RealClients.TestsDirectory)!, "docker", "compose.yaml");
        var project = "depot-emulator-test-" + Guid.NewGuid().ToString("N")[..8];
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var env = new Dictionary<string, string?>
        {
            ["DEPOT_EMULATOR_HOST_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RUNTIME_IMAGE"] = Environment.GetEnvironmentVariable("RUNTIME_IMAGE") ?? "depot-emulator-base/runtime-deps:local",
        };
        try
        {
            var up = await RealClients.RunAsync("docker-compose", ["-f", compose, "-p", project, "up", "--no-build", "--exit-code-from", "depot-cli"],
                env, TimeSpan.FromMinutes(3));
            Assert.True(up.ExitCode == 0, up.Output);
            Assert.Contains("\"id\": \"proj-demo\"", up.Stdout);
            Assert.Matches(@"depot-cli.*depot_pull_\w+", up.Stdout);
        }
        finally
        {
            await RealClients.RunAsync("docker-compose", ["-f", compose, "-p", project, "down", "--volumes"], env, TimeSpan.FromMinutes(1));
        }
    }
}
