using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Ci;

/// <summary>
/// Every <c>depot ci</c> and <c>depot tests</c> command that needs no GitHub, with each token type: user and
/// organization tokens get Depot CI's answers, the others the matrix's refusal. Exchanges are pinned as snapshots.
/// </summary>
public class CliCiMatrixTests
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();

    /// <summary>A command, what its output shows on success; {run}, {workflow}, {job}, {attempt} and {artifact} name the seeded failed run's.</summary>
    public sealed record Command(string Name, string SuccessMarker, params string[] Args);

    public static readonly IReadOnlyList<Command> Commands =
    [
        new("run-list", "acme/web", "ci", "run", "list"),
        new("run-show", "refs/heads/main", "ci", "run", "show", "{run}"),
        new("status", "[test] (failed)", "ci", "status", "{run}"),
        new("workflow-list", "CI", "ci", "workflow", "list"),
        new("workflow-show", ".depot/workflows/ci.yml", "ci", "workflow", "show", "{workflow}"),
        new("logs", "building in us-east-1", "ci", "logs", "{build-attempt}"),
        new("logs-export", "##[error]2 tests failed", "ci", "logs", "{attempt}", "--output-file", "{file}"),
        new("diagnose", "2 tests failed", "ci", "diagnose", "--run", "{run}"),
        new("summary", "| Unit tests | failed |", "ci", "summary", "{job}"),
        new("metrics", "Availability: available", "ci", "metrics", "{attempt}"),
        new("artifacts-list", "dist", "ci", "artifacts", "list", "{run}"),
        new("artifacts-download", "Downloaded", "ci", "artifacts", "download", "{artifact}", "--output-file", "{file}"),
        new("secrets-list", "NPM_TOKEN", "ci", "secrets", "list"),
        new("vars-list", "us-east-1", "ci", "vars", "list"),
        new("vars-add", "Successfully added CI variable 'ENV'", "ci", "vars", "add", "ENV=prod"),
        new("secrets-add", "Successfully added CI secret 'API_KEY'", "ci", "secrets", "add", "API_KEY=not-shown"),
        new("tests", "att_", "tests", "{attempt}"),
        new("retry", "attempt #2", "ci", "retry", "{run}", "--job", "{job}"),
        new("cancel", "cancelled", "ci", "cancel", "{run}"),
        new("rerun", "Rerunning workflow", "ci", "rerun", "{run}"),
    ];

    public static TheoryData<TokenType> Types() => new(TokenTypes.All);

    [Theory]
    [MemberData(nameof(Types))]
    public async Task Each_ci_command_gets_the_matrix_answer(TokenType type)
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", CiCli.SeedPath, "--random-seed", "1");
        await CiCli.AdvanceAsync(emulator, 60);
        var run = (await CiCli.RunsAsync(emulator))[0];
        var test = CiCli.Job(run, "test");
        var ids = new Dictionary<string, string>
        {
            ["{run}"] = run.GetProperty("id").GetString()!,
            ["{workflow}"] = run.GetProperty("workflows")[0].GetProperty("id").GetString()!,
            ["{job}"] = test.GetProperty("id").GetString()!,
            ["{attempt}"] = test.GetProperty("attempts")[0].GetProperty("id").GetString()!,
            ["{build-attempt}"] = CiCli.Job(run, "build").GetProperty("attempts")[0].GetProperty("id").GetString()!,
        };
        ids["{artifact}"] = ids["{build-attempt}"] + ".2";
        var allowed = Matrix.Decide(type, Matrix.Operation("depot.ci.v1.CIService/GetRun"));
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        foreach (var command in Commands)
        {
            var file = Path.Combine(RealClients.TempHome(), "out");
            var args = command.Args.Select(a => a == "{file}" ? file : ids.GetValueOrDefault(a, a)).Concat(["--org", "org-acme"]).ToArray();

            var result = await CiCli.Depot(emulator, TestSeeds.Secret(type), null, args);
            if (allowed.IsAllowed)
            {
                Assert.True(result.ExitCode == 0, $"{type.Name()} token: depot {string.Join(' ', args)} failed: {result.Output}");
                Assert.Contains(command.SuccessMarker, result.Output + (File.Exists(file) ? File.ReadAllText(file) : ""));
            }
            else
            {
                Assert.True(result.ExitCode != 0, $"{type.Name()} token: depot {string.Join(' ', args)} succeeded: {result.Output}");
                Assert.Contains("permission_denied", result.Output);
                Assert.Contains(allowed.Reason!, result.Output);
            }
        }

        // The export's bytes carry the seeded run's real start time, so they are checked through the file, not pinned.
        var exchanges = await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark, "depot.ci.v1.CIService/ExportJobAttemptLogs");
        Assert.DoesNotContain("not-shown", exchanges.ToJsonString());
        Assert.DoesNotContain("seeded-secret-value", exchanges.ToJsonString());
        ExchangeSnapshots.Match(exchanges, type.Name());
    }

    [Fact]
    public async Task A_user_in_several_organizations_names_one_with_x_depot_org()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", CiCli.SeedPath);
        var user = TestSeeds.Secret(TokenType.User);

        var unnamed = await CiCli.Depot(emulator, user, null, "ci", "run", "list");
        Assert.NotEqual(0, unnamed.ExitCode);
        Assert.Contains("permission_denied: user token reaches 2 organizations (org-acme, org-globex); name one with the x-depot-org header", unnamed.Output);

        var acme = await CiCli.Depot(emulator, user, null, "ci", "run", "list", "--org", "org-acme");
        Assert.True(acme.ExitCode == 0, acme.Output);
        Assert.Contains("acme/web", acme.Output);

        var globex = await CiCli.Depot(emulator, user, null, "ci", "run", "list", "--org", "org-globex");
        Assert.True(globex.ExitCode == 0, globex.Output);
        Assert.DoesNotContain("acme/web", globex.Output);

        var organization = await CiCli.Depot(emulator, TestSeeds.Secret(TokenType.Organization), null, "ci", "run", "list", "--org", "org-globex");
        Assert.NotEqual(0, organization.ExitCode);
        Assert.Contains("permission_denied: organization token is scoped to", organization.Output);
    }
}
