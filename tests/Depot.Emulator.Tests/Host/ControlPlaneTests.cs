using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Depot.Cli.V1;
using Depot.Core.V1;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Host;

public class ControlPlaneTests : IAsyncLifetime
{
    private InMemoryEmulator _emulator = null!;

    public async ValueTask InitializeAsync() => _emulator = await InMemoryEmulator.StartAsync();

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private HttpClient Http => _emulator.Http;

    [Fact]
    public async Task Health_answers_without_a_token()
    {
        using var response = await Http.GetAsync("/_emulator/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_minted_pull_token_expires_when_the_clock_moves_past_its_lifetime()
    {
        using var minted = await Http.PostAsJsonAsync("/_emulator/tokens", new { type = "pull", project = "proj-web", ttlSeconds = 60 });
        var token = await minted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pull", token.GetProperty("type").GetString());
        var secret = token.GetProperty("secret").GetString()!;

        Assert.Equal(200, (await AuthenticateAsync(secret)).Status);
        using var advanced = await Http.PostAsJsonAsync("/_emulator/clock/advance", new { seconds = 61 });
        Assert.Equal(HttpStatusCode.OK, advanced.StatusCode);

        var expired = await AuthenticateAsync(secret);
        Assert.Equal("unauthenticated", expired.Code);
        Assert.Contains("expired", expired.Message);
    }

    [Fact]
    public async Task Pull_tokens_from_GetPullToken_last_one_hour()
    {
        var minted = await _emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-web" }, TestSeeds.Secret(TokenType.Organization));
        var token = minted.Ok.Token;
        await Http.PostAsJsonAsync("/_emulator/clock/advance", new { seconds = 3599 });
        Assert.Equal(200, (await AuthenticateAsync(token)).Status);
        await Http.PostAsJsonAsync("/_emulator/clock/advance", new { seconds = 2 });
        Assert.Equal("unauthenticated", (await AuthenticateAsync(token)).Code);
    }

    [Fact]
    public async Task Reset_returns_to_the_seed()
    {
        var org = TestSeeds.Secret(TokenType.Organization);
        await _emulator.Connect.CallAsync<DeleteProjectResponse>("depot.core.v1.ProjectService/DeleteProject",
            new DeleteProjectRequest { ProjectId = "proj-api" }, org);
        using var reset = await Http.PostAsync("/_emulator/reset", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);

        var projects = await _emulator.Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects",
            new ListProjectsRequest(), org);
        Assert.Equal(["proj-web", "proj-api"], projects.Ok.Projects.Select(p => p.ProjectId));
    }

    [Fact]
    public async Task A_posted_seed_replaces_the_state_and_generates_what_it_omits_deterministically()
    {
        const string seed = "{\"organizations\": [{\"id\": \"org-x\"}], \"projects\": [{\"name\": \"only\"}], \"tokens\": [{\"type\": \"organization\", \"organization\": \"org-x\"}]}";
        using var response = await Http.PostAsync("/_emulator/seed", new StringContent(seed, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var secret = body.GetProperty("tokens")[0].GetProperty("secret").GetString()!;
        Assert.StartsWith("depot_org_", secret);

        var projects = await _emulator.Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects",
            new ListProjectsRequest(), secret);
        Assert.Equal("only", Assert.Single(projects.Ok.Projects).Name);
        Assert.Equal("unauthenticated", (await AuthenticateAsync(TestSeeds.Secret(TokenType.Organization))).Code);
    }

    [Theory]
    [InlineData("projects: [{id: p, organization: org-missing}]", "unknown organization org-missing")]
    [InlineData("tokens: [{type: wizard}]", "unknown token type \"wizard\"")]
    [InlineData("organizations: [{id: o}]\nprojects: [{id: p, organization: o}]\ntrustPolicies: [{project: p, circleci: {organizationUuid: acme, projectUuid: web}}]", "UUID")]
    [InlineData("organisations: []", "organisations")]
    [InlineData("[not, a, map", "not valid")]
    public async Task A_bad_seed_is_refused_with_its_reason_and_changes_nothing(string seed, string reason)
    {
        using var response = await Http.PostAsync("/_emulator/seed", new StringContent(seed, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_argument", error.GetProperty("code").GetString());
        Assert.Contains(reason, error.GetProperty("message").GetString());

        Assert.Equal(200, (await AuthenticateAsync(TestSeeds.Secret(TokenType.Project))).Status);
    }

    [Theory]
    [InlineData("{\"type\": \"pull\"}", "project is required")]
    [InlineData("{\"type\": \"pull\", \"project\": \"nope\"}", "project nope not found")]
    [InlineData("{\"type\": \"user\", \"user\": \"user-nobody\"}", "user user-nobody not found")]
    [InlineData("{\"type\": \"wizard\"}", "unknown token type")]
    [InlineData("{\"type\": \"pull\", \"project\": \"proj-web\", \"ttlSeconds\": 0}", "ttlSeconds must be positive")]
    [InlineData("not json", "not valid")]
    public async Task Minting_a_token_for_nothing_is_a_clear_400(string body, string reason)
    {
        using var response = await Http.PostAsync("/_emulator/tokens", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, response.StatusCode.ToString());
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_clock_does_not_run_backwards()
    {
        using var response = await Http.PostAsJsonAsync("/_emulator/clock/advance", new { seconds = -5 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_matrix_endpoint_serves_the_data_the_emulator_enforces()
    {
        var matrix = await Http.GetFromJsonAsync<JsonElement>("/_emulator/matrix");
        var registry = matrix.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "registry");
        Assert.Equal("read-only", registry.GetProperty("grants").GetProperty("pull").GetString());
        var getProject = matrix.GetProperty("operations").EnumerateArray()
            .Single(o => o.GetProperty("name").GetString() == "depot.core.v1.ProjectService/GetProject");
        Assert.Equal(["user", "organization"], getProject.GetProperty("allowedTokenTypes").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_journal_records_who_asked_for_what_and_never_a_secret()
    {
        var minted = await _emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-web" }, TestSeeds.Secret(TokenType.Project));
        await _emulator.Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects",
            new ListProjectsRequest(), TestSeeds.Secret(TokenType.Project));

        var text = await Http.GetStringAsync("/_emulator/journal");
        Assert.DoesNotContain(minted.Ok.Token, text);
        Assert.DoesNotContain(TestSeeds.Secret(TokenType.Project), text);
        var entries = JsonDocument.Parse(text).RootElement.GetProperty("entries").EnumerateArray().ToList();
        var pull = entries.Single(e => e.GetProperty("operation").GetString() == "depot.cli.v1.BuildService/GetPullToken");
        Assert.Equal("project", pull.GetProperty("tokenType").GetString());
        Assert.Equal("tok-proj-web", pull.GetProperty("tokenId").GetString());
        Assert.Equal("allow", pull.GetProperty("decision").GetString());
        Assert.Equal("[redacted]", pull.GetProperty("response").GetProperty("token").GetString());
        var denied = entries.Single(e => e.GetProperty("operation").GetString() == "depot.core.v1.ProjectService/ListProjects");
        Assert.Equal("deny", denied.GetProperty("decision").GetString());
        Assert.Equal(403, denied.GetProperty("status").GetInt32());
        Assert.Equal("permission_denied", denied.GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_journal_keeps_only_its_capacity()
    {
        await using var small = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--journal-capacity", "3");
        for (var i = 0; i < 10; i++)
        {
            await small.Http.GetAsync("/_emulator/clock");
        }

        var journal = await small.Http.GetFromJsonAsync<JsonElement>("/_emulator/journal");
        Assert.Equal(3, journal.GetProperty("entries").GetArrayLength());
    }

    /// <summary>
    /// Presents a token to a Registry operation: success, or permission_denied for a pull token's write, both prove the
    /// token authenticated; unauthenticated proves it did not.
    /// </summary>
    private async Task<ConnectResult<byte[]>> AuthenticateAsync(string secret)
    {
        var result = await _emulator.Connect.CallAsync("depot.cli.v1.BuildService/GetPullToken", new GetPullTokenRequest { ProjectId = "proj-web" }, secret);
        return result.Code == "permission_denied" ? result with { Status = 200, Code = null } : result;
    }
}
