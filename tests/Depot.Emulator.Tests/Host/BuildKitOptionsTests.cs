using Depot.Cli.V1;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Host;

/// <summary><c>--buildkit</c>: builds are handed a real BuildKit instead of the built-in one.</summary>
public class BuildKitOptionsTests
{
    [Fact]
    public async Task A_configured_buildkit_is_handed_out_with_its_certificates()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(dir, "ca.pem"), "CA PEM");
        File.WriteAllText(Path.Combine(dir, "cert.pem"), "CERT PEM");
        File.WriteAllText(Path.Combine(dir, "key.pem"), "KEY PEM");
        await using var emulator = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--buildkit", "tcp://buildkitd.internal:1234",
            "--buildkit-ca", Path.Combine(dir, "ca.pem"), "--buildkit-cert", Path.Combine(dir, "cert.pem"), "--buildkit-key", Path.Combine(dir, "key.pem"));

        var build = (await emulator.Connect.CallAsync<CreateBuildResponse>("depot.cli.v1.BuildService/CreateBuild",
            new CreateBuildRequest { ProjectId = "proj-web" }, "test-proj-web")).Ok;
        var request = new GetBuildKitConnectionRequest { BuildId = build.BuildId, Platform = BuilderPlatform.Arm64 };
        await emulator.Connect.CallAsync<GetBuildKitConnectionResponse>("depot.cli.v1.BuildService/GetBuildKitConnection", request, build.BuildToken);
        var active = (await emulator.Connect.CallAsync<GetBuildKitConnectionResponse>("depot.cli.v1.BuildService/GetBuildKitConnection", request, build.BuildToken)).Ok.Active;

        Assert.Equal("tcp://buildkitd.internal:1234", active.Endpoint);
        Assert.Equal("buildkitd.internal", active.ServerName);
        Assert.Equal("CERT PEM", active.Cert.Cert_);
        Assert.Equal("KEY PEM", active.Cert.Key);
        Assert.Equal("CA PEM", active.CaCert.Cert_);
    }

    [Theory]
    [InlineData(new[] { "--buildkit", "http://host:1234" }, "--buildkit must be tcp://host:port: got \"http://host:1234\"")]
    [InlineData(new[] { "--buildkit", "tcp://host" }, "--buildkit must be tcp://host:port: got \"tcp://host\"")]
    [InlineData(new[] { "--buildkit-ca", "/x" }, "--buildkit-ca needs --buildkit tcp://host:port")]
    [InlineData(new[] { "--buildkit", "tcp://h:1", "--buildkit-cert", "/x" }, "--buildkit-cert and --buildkit-key go together")]
    [InlineData(new[] { "--buildkit", "tcp://h:1", "--buildkit-ca", "/does/not/exist" }, "/does/not/exist does not exist")]
    public void Bad_buildkit_options_stop_the_start(string[] args, string message)
    {
        var error = Assert.Throws<DepotException>(() => EmulatorOptions.Parse(args, _ => null));
        Assert.Equal(message, error.Message);
    }
}
