using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>
/// The real depot CLI against the emulator on a loopback port: each command with each token type gets the matrix's
/// answer, and each exchange is pinned as a snapshot.
/// </summary>
public class CliMatrixTests
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();

    /// <summary>A CLI command, the operation it performs, and what its output shows on success.</summary>
    public sealed record Command(string Name, string Operation, string SuccessMarker, params string[] Args);

    public static readonly IReadOnlyList<Command> Commands =
    [
        new("projects-list", "depot.cli.v1beta1.ProjectsService/ListProjects", "proj-web", "projects", "list", "--output", "json"),
        new("projects-create", "depot.core.v1.ProjectService/CreateProject", "\"name\":\"fresh\"", "projects", "create", "--organization", "org-acme", "fresh"),
        new("projects-get", "depot.core.v1.ProjectService/GetProject", "\"project_id\": \"proj-web\"", "projects", "get", "proj-web", "--output", "json"),
        new("projects-delete", "depot.core.v1.ProjectService/DeleteProject", "", "projects", "delete", "--project-id", "proj-web", "--yes"),
        new("pull-token", "depot.cli.v1.BuildService/GetPullToken", "depot_pull_", "pull-token", "--project", "proj-web"),
        new("cache-reset", "depot.cli.v1beta1.ProjectsService/ResetProjectCache", "Cache reset for web (Acme)", "cache", "reset", "--project", "proj-web"),
    ];

    public static TheoryData<string, TokenType> Cells()
    {
        var data = new TheoryData<string, TokenType>();
        foreach (var command in Commands)
        {
            foreach (var type in TokenTypes.All)
            {
                data.Add(command.Name, type);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_command_with_each_token_type_gets_the_matrix_answer(string commandName, TokenType type)
    {
        var command = Commands.Single(c => c.Name == commandName);
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(type) }, command.Args);

        var decision = Matrix.Decide(type, Matrix.Operation(command.Operation));
        if (decision.IsAllowed)
        {
            Assert.True(result.ExitCode == 0, $"{type.Name()} token: depot {string.Join(' ', command.Args)} failed: {result.Output}");
            Assert.Contains(command.SuccessMarker, result.Output);
        }
        else
        {
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("permission_denied", result.Output);
            Assert.Contains(decision.Reason!, result.Output);
        }

        var exchanges = await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark);
        Assert.Contains(exchanges, e => e!["operation"]!.GetValue<string>() == command.Operation);
        Assert.All(exchanges, e => Assert.Equal("HTTP/2", e!["protocol"]!.GetValue<string>()));
        ExchangeSnapshots.Match(exchanges, $"{command.Name}.{type.Name()}");
    }

    [Theory]
    [InlineData(TokenType.User, true)]
    [InlineData(TokenType.Organization, true)]
    [InlineData(TokenType.Project, false)]
    [InlineData(TokenType.Pull, false)]
    [InlineData(TokenType.Build, false)]
    [InlineData(TokenType.TrustRelationship, false)]
    public async Task Org_list_uses_the_stored_login_and_the_matrix_decides(TokenType type, bool allowed)
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var home = RealClients.TempHome();
        StoreLogin(home, TestSeeds.Secret(type));

        var result = await RealClients.Depot(emulator.Url, home, null, "org", "list", "--output", "json");

        Assert.Equal(allowed, Matrix.Decide(type, Matrix.Operation("depot.core.v1.OrganizationService/ListOrganizations")).IsAllowed);
        if (allowed)
        {
            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Contains("org-acme", result.Output);
        }
        else
        {
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains($"{type.Name()} tokens cannot use the API service", result.Output);
        }
    }

    [Fact]
    public async Task A_project_token_cannot_reach_another_project()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) }, "pull-token", "--project", "proj-api");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("permission_denied: project token is scoped to project proj-web; it does not reach project proj-api", result.Output);
    }

    [Fact]
    public async Task Unknown_and_expired_tokens_are_unauthenticated()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var unknown = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = "depot_org_nope" }, "projects", "list");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("unauthenticated: unknown or revoked token", unknown.Output);

        await emulator.Http.PostAsync("/_emulator/clock/advance", new StringContent("{\"seconds\": 3601}", System.Text.Encoding.UTF8, "application/json"));
        var expired = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Organization) }, "pull-token", "--project", "proj-web");
        Assert.Equal(0, expired.ExitCode);
        var pull = expired.Stdout.Trim();

        await emulator.Http.PostAsync("/_emulator/clock/advance", new StringContent("{\"seconds\": 3601}", System.Text.Encoding.UTF8, "application/json"));
        var afterExpiry = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = pull }, "pull-token", "--project", "proj-web");
        Assert.Contains("unauthenticated: pull token", afterExpiry.Output);
        Assert.Contains("expired at", afterExpiry.Output);
    }

    [Fact]
    public async Task A_base_url_with_a_path_prefix_works()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var result = await RealClients.Depot(emulator.Url + "/depot/api", RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Organization) }, "projects", "list", "--output", "json");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("proj-web", result.Output);
    }

    internal static void StoreLogin(string home, string secret)
    {
        var config = Path.Combine(home, ".config", "depot");
        Directory.CreateDirectory(config);
        File.WriteAllText(Path.Combine(config, "depot.yaml"), $"api_token: {secret}\n");
    }
}
