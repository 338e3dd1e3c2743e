using Depot.Emulator.Tests.Support;
using Snapshooter;
using Snapshooter.Xunit3;

namespace Depot.Emulator.Tests.Oidc;

/// <summary>
/// The real depot CLI in each CI system's environment, its token fetched from the emulator's fake provider:
/// the trusted project is reached, another project is refused, and the API is denied as for a project token.
/// </summary>
public class OidcRealCliTests
{
    public static TheoryData<string> Providers => new(OidcTestSupport.Providers);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Ci_token_acts_as_a_project_token_for_the_trusted_project_only(string provider)
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", OidcTestSupport.SeedPath);
        var env = await OidcTestSupport.CiEnvironmentAsync(provider, emulator.Url, emulator.Http);
        var home = RealClients.TempHome();
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        var pull = await RealClients.Depot(emulator.Url, home, env, "pull-token", "--project", "proj-web");
        var reset = await RealClients.Depot(emulator.Url, home, env, "cache", "reset", "--project", "proj-web");
        var otherProject = await RealClients.Depot(emulator.Url, home, env, "pull-token", "--project", "proj-api");
        var otherOrganization = await RealClients.Depot(emulator.Url, home, env, "cache", "reset", "--project", "proj-ops");
        var api = await RealClients.Depot(emulator.Url, home, env, "projects", "list");

        Assert.True(pull.ExitCode == 0, pull.Output);
        Assert.StartsWith("depot_pull_", pull.Stdout.Trim());
        Assert.True(reset.ExitCode == 0, reset.Output);
        Assert.Contains("Cache reset for web (Acme)", reset.Output);
        Assert.NotEqual(0, otherProject.ExitCode);
        Assert.Contains("unauthenticated: OIDC token", otherProject.Output);
        Assert.Contains("matches no trust relationship of project proj-api", otherProject.Output);
        Assert.NotEqual(0, otherOrganization.ExitCode);
        Assert.Contains("matches no trust relationship of project proj-ops", otherOrganization.Output);
        Assert.NotEqual(0, api.ExitCode);
        Assert.Contains("permission_denied: trust-relationship tokens cannot use the API service", api.Output);
        Assert.Equal(1, emulator.Service<Domain.State.DepotState>().FindProject("proj-web")!.CacheResets);

        Snapshot.Match(new
        {
            pullToken = new { pull.ExitCode, output = OidcTestSupport.Stable(pull.Output) },
            cacheReset = new { reset.ExitCode, output = OidcTestSupport.Stable(reset.Output) },
            otherProject = new { otherProject.ExitCode, output = OidcTestSupport.Stable(otherProject.Output) },
            otherOrganization = new { otherOrganization.ExitCode, output = OidcTestSupport.Stable(otherOrganization.Output) },
            projectsList = new { api.ExitCode, output = OidcTestSupport.Stable(api.Output) },
        }, SnapshotNameExtension.Create(provider));
        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark), $"{provider}-exchanges");
    }

    [Fact]
    public async Task Github_token_for_an_untrusted_repository_is_refused_by_name()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", OidcTestSupport.SeedPath);
        var env = await OidcTestSupport.CiEnvironmentAsync("github", emulator.Url, emulator.Http);
        env["ACTIONS_ID_TOKEN_REQUEST_URL"] = $"{emulator.Url}/_emulator/oidc/github/idtoken?repository=acme/api";

        var pull = await RealClients.Depot(emulator.Url, RealClients.TempHome(), env, "pull-token", "--project", "proj-web");

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains("OIDC token repository \"acme/api\" matches no trust relationship of project proj-web", pull.Output);
    }

    /// <summary>docs/oidc.md's copy-paste environments, against the built-in demo seed.</summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Documented_environment_works_against_the_demo_seed(string provider)
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--random-seed", "1");
        var env = await OidcTestSupport.CiEnvironmentAsync(provider, emulator.Url, emulator.Http);
        switch (provider)
        {
            case "github":
                env["ACTIONS_ID_TOKEN_REQUEST_URL"] = $"{emulator.Url}/_emulator/oidc/github/idtoken?repository=acme/web&ref=refs/heads/main";
                env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "any-runner-token";
                break;
            case "buildkite":
                env["BUILDKITE_AGENT_ACCESS_TOKEN"] = "any-agent-token";
                break;
            case "gitlab":
                env["DEPOT_OIDC_TOKEN"] = await OidcTestSupport.MintAsync(emulator.Http, "gitlab", new() { ["project_path"] = "acme/web", ["ref"] = "main" });
                break;
            case "rwx":
                env["DEPOT_TOKEN"] = await OidcTestSupport.MintAsync(emulator.Http, "rwx", new() { ["sub"] = "mint:6a6f7e3c-1d2b-4c5a-9e8f-0a1b2c3d4e5f:default" });
                break;
        }

        var pull = await RealClients.Depot(emulator.Url, RealClients.TempHome(), env, "pull-token", "--project", "proj-demo");

        Assert.True(pull.ExitCode == 0, pull.Output);
        Assert.StartsWith("depot_pull_", pull.Stdout.Trim());
    }

    [Fact]
    public async Task Sdk_node_with_a_ci_token_is_treated_as_a_project_token()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", OidcTestSupport.SeedPath);
        var jwt = await OidcTestSupport.MintAsync(emulator.Http, "github");

        var listed = await RealClients.Sdk(emulator.Url, "depot.core.v1.ProjectService", "listTrustPolicies", new { projectId = "proj-web" }, jwt);
        var garbage = await RealClients.Sdk(emulator.Url, "depot.core.v1.ProjectService", "listTrustPolicies", new { projectId = "proj-web" },
            jwt[..^4] + "AAAA");

        Assert.Equal("permission_denied", listed.GetProperty("code").GetString());
        Assert.Equal("trust-relationship tokens cannot use the API service; API accepts user and organization tokens",
            listed.GetProperty("message").GetString());
        Assert.Equal("unauthenticated", garbage.GetProperty("code").GetString());
        Assert.StartsWith("OIDC token signature does not verify", garbage.GetProperty("message").GetString());
    }
}
