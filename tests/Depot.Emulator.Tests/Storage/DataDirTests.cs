using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Depot.Core.V1;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Depot.Emulator.Tests.Storage;

/// <summary><c>--data-dir</c>: what one emulator wrote, the next one started on the same directory finds.</summary>
public sealed class DataDirTests : IDisposable
{
    private static readonly string Org = TestSeeds.Secret(TokenType.Organization);

    private readonly string _dir = Directory.CreateTempSubdirectory("depot-data-dir-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<InMemoryEmulator> StartAsync(params string[] args) =>
        InMemoryEmulator.StartAsync(["--data-dir", _dir, .. args.Length == 0 ? ["--seed", TestSeeds.AcmePath] : args]);

    [Fact]
    public async Task Projects_tokens_trust_policies_and_the_clock_survive_a_restart()
    {
        string projectId, secret;
        await using (var first = await StartAsync())
        {
            // Seeded projects are a second apart; moving the clock first puts the new one after them.
            using var _ = await first.Http.PostAsJsonAsync("/_emulator/clock/advance", new { seconds = 120 });
            projectId = (await first.Connect.CallAsync<CreateProjectResponse>("depot.core.v1.ProjectService/CreateProject",
                new CreateProjectRequest { Name = "durable" }, Org)).Ok.Project.ProjectId;
            secret = (await first.Connect.CallAsync<CreateTokenResponse>("depot.core.v1.ProjectService/CreateToken",
                new CreateTokenRequest { ProjectId = projectId, Description = "ci" }, Org)).Ok.Secret;
            var added = await first.Connect.CallAsync<AddTrustPolicyResponse>("depot.core.v1.ProjectService/AddTrustPolicy",
                new AddTrustPolicyRequest { ProjectId = projectId, Github = new TrustPolicy.Types.GitHub { RepositoryOwner = "acme", Repository = "durable" } }, Org);
            Assert.Equal(200, added.Status);
        }

        await using var second = await StartAsync();
        var projects = await second.Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects", new ListProjectsRequest(), Org);
        Assert.Equal(["proj-web", "proj-api", projectId], projects.Ok.Projects.Select(p => p.ProjectId));
        var builds = await second.Connect.CallAsync<Depot.Cli.V1.ListBuildsResponse>("depot.cli.v1.BuildService/ListBuilds", new Depot.Cli.V1.ListBuildsRequest { ProjectId = projectId }, secret);
        Assert.Equal(200, builds.Status);
        var policies = await second.Connect.CallAsync<ListTrustPoliciesResponse>("depot.core.v1.ProjectService/ListTrustPolicies",
            new ListTrustPoliciesRequest { ProjectId = projectId }, Org);
        Assert.Equal("durable", Assert.Single(policies.Ok.TrustPolicies).Github.Repository);
        var clock = await second.Http.GetFromJsonAsync<JsonElement>("/_emulator/clock");
        Assert.Equal(120, clock.GetProperty("offsetSeconds").GetDouble(), precision: 3);
    }

    [Fact]
    public async Task A_data_dir_that_does_not_exist_yet_is_made()
    {
        var fresh = Path.Combine(_dir, "new", "data");
        await using var emulator = await InMemoryEmulator.StartAsync("--data-dir", fresh);
        Assert.True(File.Exists(Path.Combine(fresh, "state.db")));
        Assert.NotNull(emulator.Service<Domain.State.DepotState>().FindProject("proj-demo"));
    }

    [Fact]
    public async Task A_pull_token_keeps_its_expiry_across_a_restart()
    {
        string secret;
        await using (var first = await StartAsync())
        {
            using var minted = await first.Http.PostAsJsonAsync("/_emulator/tokens", new { type = "pull", project = "proj-web", ttlSeconds = 60 });
            secret = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        }

        await using var second = await StartAsync();
        Assert.True(await AuthenticatesAsync(second, secret));
        using var _ = await second.Http.PostAsJsonAsync("/_emulator/clock/advance", new { seconds = 61 });
        Assert.False(await AuthenticatesAsync(second, secret));
    }

    [Fact]
    public async Task A_changed_seed_on_a_populated_data_dir_is_refused_naming_reset_data()
    {
        await (await StartAsync()).DisposeAsync();
        var oidcSeed = Path.Combine(AppContext.BaseDirectory, "seeds", "oidc.yaml");
        var refused = await Assert.ThrowsAsync<DepotException>(() => StartAsync("--seed", oidcSeed));
        Assert.Contains("--reset-data", refused.Message);

        await using (var same = await StartAsync())
        {
            Assert.NotNull(same.Service<Domain.State.DepotState>().FindProject("proj-api"));
        }

        await using var reseeded = await StartAsync("--seed", oidcSeed, "--reset-data");
        Assert.NotNull(reseeded.Service<Domain.State.DepotState>().FindProject("proj-ops"));
    }

    [Fact]
    public async Task Reset_returns_a_restarted_emulator_to_the_seed_it_recorded()
    {
        await using (var first = await StartAsync())
        {
            const string seed = """{"organizations": [{"id": "org-x"}], "projects": [{"id": "proj-x", "organization": "org-x"}]}""";
            using var posted = await first.Http.PostAsync("/_emulator/seed", new StringContent(seed, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        // Started without --seed: the data dir's own seed stands.
        await using var second = await InMemoryEmulator.StartAsync("--data-dir", _dir);
        var state = second.Service<Domain.State.DepotState>();
        state.DeleteProject("proj-x");
        using var reset = await second.Http.PostAsync("/_emulator/reset", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(["proj-x"], state.Projects().Select(p => p.Id));
    }

    [Fact]
    public async Task A_data_dir_from_a_newer_schema_is_refused_and_left_alone()
    {
        await (await StartAsync()).DisposeAsync();
        var database = Path.Combine(_dir, "state.db");
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_versions SET version = 99 WHERE area = 'projects'";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var refused = await Assert.ThrowsAsync<DepotException>(() => StartAsync());
        Assert.Contains("was written by a newer emulator: its projects tables are at version 99", refused.Message);
    }

    /// <summary>Whether the registry takes the secret (a repository with no images answers 404 to one it takes).</summary>
    private static async Task<bool> AuthenticatesAsync(InMemoryEmulator emulator, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/proj-web/tags/list");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("x-token:" + secret)));
        using var response = await emulator.Http.SendAsync(request);
        return response.StatusCode != HttpStatusCode.Unauthorized;
    }
}
