using System.Net;
using System.Net.Http.Headers;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Testing;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Packaging;

/// <summary>The acme seed on the in-memory test server, one emulator for the whole test class.</summary>
public sealed class AcmeTestServer : DepotEmulatorFixture
{
    protected override DepotEmulatorSettings Settings => new() { Transport = EmulatorTransport.TestServer, SeedFile = TestSeeds.AcmePath };
}

/// <summary>Depot.Emulator.Testing's xunit fixture: tokens of every type, the clock and the journal.</summary>
public sealed class FixtureTests(AcmeTestServer depot) : IClassFixture<AcmeTestServer>
{
    [Fact]
    public async Task Issued_tokens_of_every_type_authenticate_as_that_type_and_reach_their_project()
    {
        var web = depot.Emulator.State.FindProject("proj-web")!;
        foreach (var (type, secret) in depot.Tokens.IssueEach("proj-web"))
        {
            var authentication = await depot.Emulator.Service<Authenticator>().AuthenticateAsync(secret, TestContext.Current.CancellationToken);
            var principal = Assert.IsType<Principal>(authentication.Principal);
            Assert.Equal(type, principal.Type);
            Assert.True(principal.Scope.Reaches(web), $"{type.Name()} token does not reach proj-web");
        }
    }

    [Fact]
    public async Task An_issued_pull_token_reads_the_registry_until_the_clock_passes_its_hour_and_the_journal_shows_both()
    {
        var pull = depot.Tokens.Issue(TokenType.Pull, "proj-api");
        Assert.Equal(HttpStatusCode.OK, await Ping(pull));

        depot.Emulator.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.Unauthorized, await Ping(pull));

        var pings = depot.Emulator.Journal.Query(operation: null, since: null, limit: 1000).Where(e => e.Path == "/v2/").TakeLast(2).ToList();
        Assert.Equal([200, 401], pings.Select(e => e.Status));
    }

    [Fact]
    public async Task Each_emulator_has_its_own_state_and_the_loopback_one_serves_real_clients()
    {
        await using var other = await DepotEmulator.StartAsync(new DepotEmulatorSettings { SeedText = "organizations: [{id: org-solo, name: Solo}]\nprojects: [{id: proj-solo, name: solo, organization: org-solo}]" });
        Assert.Null(other.State.FindProject("proj-web"));
        Assert.NotNull(depot.Emulator.State.FindProject("proj-web"));

        var listed = await RealClients.Depot(other.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = other.Tokens.Issue(TokenType.Organization, "proj-solo") }, "projects", "list", "--output", "json");
        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.Contains("proj-solo", listed.Stdout);
    }

    private async Task<HttpStatusCode> Ping(string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", secret) } };
        using var response = await depot.Emulator.Http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
