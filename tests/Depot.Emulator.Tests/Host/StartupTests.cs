using System.Net;
using Depot.Core.V1;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Seeding;
using Depot.Emulator.Tests.Support;
using Google.Protobuf.Reflection;

namespace Depot.Emulator.Tests.Host;

public class StartupTests
{
    [Fact]
    public async Task The_built_in_demo_seed_has_one_token_of_each_everyday_type()
    {
        await using var emulator = await InMemoryEmulator.StartAsync("--log-level", "warning");
        var state = emulator.Service<Domain.State.DepotState>();
        Assert.Equal(["user", "organization", "project", "pull", "build"], state.SeededTokens.Select(t => t.Record.Type.Name()));
        var result = await emulator.Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects",
            new ListProjectsRequest(), "depot_org_demo");
        Assert.Equal("proj-demo", Assert.Single(result.Ok.Projects).ProjectId);
    }

    [Fact]
    public void A_random_seed_makes_generated_ids_and_secrets_repeat()
    {
        var yaml = "organizations: [{id: o}]\nprojects: [{name: p, organization: o}]\n";
        string Ids(int s)
        {
            var state = new Domain.State.DepotState(TimeProvider.System, new Domain.Identity.IdGenerator(s), SeedParser.Parse(yaml));
            var project = state.Projects().Single();
            var token = state.IssueToken(new Domain.State.TokenRequest(TokenType.Project, ProjectId: project.Id));
            return $"{project.Id} {token.Record.Id} {token.Secret}";
        }

        Assert.Equal(Ids(42), Ids(42));
        Assert.NotEqual(Ids(42), Ids(43));
    }

    [Fact]
    public void Yaml_and_json_seeds_share_one_schema()
    {
        var yaml = SeedParser.Parse("organizations: [{id: org-a, name: A}]\nusers: [{id: u, organizations: [org-a]}]\n");
        var json = SeedParser.Parse("{\"organizations\": [{\"id\": \"org-a\", \"name\": \"A\"}], \"users\": [{\"id\": \"u\", \"organizations\": [\"org-a\"]}]}");
        Assert.Equal(yaml.Organizations.Single().Name, json.Organizations.Single().Name);
        Assert.Equal(yaml.Users.Single().Organizations, json.Users.Single().Organizations);
    }

    [Theory]
    [InlineData("--port", "70000", "--port must be a whole number from 0 to 65535")]
    [InlineData("--enforcement", "lax", "--enforcement must be enforce, soft or off")]
    [InlineData("--bogus", "1", "unknown option --bogus")]
    public void Bad_options_are_refused_with_a_reason(string option, string value, string message)
    {
        var e = Assert.Throws<DepotException>(() => EmulatorOptions.Parse([option, value], _ => null));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Options_come_from_the_environment_and_the_command_line_wins()
    {
        var env = new Dictionary<string, string> { ["DEPOT_EMULATOR_PORT"] = "4600", ["DEPOT_EMULATOR_ENFORCEMENT"] = "soft" };
        var options = EmulatorOptions.Parse(["--port", "4700"], name => env.GetValueOrDefault(name));
        Assert.Equal(4700, options.Port);
        Assert.Equal(Domain.Authorization.EnforcementMode.Soft, options.Enforcement);
        Assert.Equal(4500, EmulatorOptions.Parse([], _ => null).Port);
    }

    [Fact]
    public void A_matrix_row_nothing_serves_stops_the_start()
    {
        var matrix = PermissionMatrix.Parse(
            "services:\n  api:\n    grants: {user: allow, organization: allow, project: deny, pull: deny, build: deny, trust-relationship: deny}\n",
            "depot.core.v1.OrganizationService/ListOrganizations: {service: api, access: read}\nghost.v1.Nothing/Here: {service: api, access: read}\n");
        var e = Assert.Throws<InvalidOperationException>(() => MatrixCoverage.Verify(matrix, new ConnectRegistry()));
        Assert.Contains("Rows nothing serves: depot.core.v1.OrganizationService/ListOrganizations, ghost.v1.Nothing/Here", e.Message);
    }

    [Fact]
    public void Binding_a_handler_of_the_wrong_kind_is_a_readable_error()
    {
        var method = OrganizationReflection.Descriptor.FindTypeByName<ServiceDescriptor>("OrganizationService").FindMethodByName("ListOrganizations");
        var e = Assert.Throws<InvalidOperationException>(() => new ConnectServiceBinder()
            .ServerStreaming<ListOrganizationsRequest, ListOrganizationsResponse>(method, (_, _, _) => Task.CompletedTask));
        Assert.Equal("depot.core.v1.OrganizationService/ListOrganizations is Unary in its schema but was bound as ServerStreaming.", e.Message);
    }

    [Fact]
    public async Task One_port_speaks_http1_and_h2c_prior_knowledge()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var http = new HttpClient { BaseAddress = new Uri(emulator.Url) };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/_emulator/health") { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(version, response.Version);
        }
    }

    [Fact]
    public async Task A_connection_that_says_nothing_useful_is_closed_without_harm()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var port = new Uri(emulator.Url).Port;
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", port);
            await client.GetStream().WriteAsync("PRI * HTTP/2.0\r\n\r\nXX garbage"u8.ToArray());
            var buffer = new byte[256];
            _ = await client.GetStream().ReadAsync(buffer);
        }

        using var http = new HttpClient { BaseAddress = new Uri(emulator.Url) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/_emulator/health")).StatusCode);
    }
}
