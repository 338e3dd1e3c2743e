using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Ci;

/// <summary>
/// <c>depot ci run</c> from a clean checkout, followed with the CLI while the emulator's clock moves: needs, logs,
/// a scripted failure diagnosed, retry and cancel, a log stream that survives a reconnect, and write-only secrets.
/// </summary>
public class CliCiRunTests
{
    private static readonly string Org = TestSeeds.Secret(TokenType.Organization);

    private const string ThreeJobs = """
        name: CI
        on: push
        jobs:
          build:
            runs-on: depot-ubuntu-latest
            steps:
              - run: echo compiled
          test:
            needs: build
            runs-on: depot-ubuntu-latest
            steps:
              - run: echo tested
          deploy:
            needs: [build, test]
            runs-on: depot-ubuntu-latest
            steps:
              - run: echo deployed
        """;

    private static async Task<string> RunAsync(LoopbackEmulator emulator, string workflow)
    {
        var result = await CiCli.Depot(emulator, Org, CiCli.Checkout(workflow), "ci", "run", "--workflow", ".depot/workflows/ci.yml");
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Stdout.Split('\n').Single(l => l.StartsWith("Run: ", StringComparison.Ordinal))[5..].Trim();
    }

    [Fact]
    public async Task A_three_job_workflow_moves_with_the_clock_through_status_and_logs()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "2", "--ci-step-ms", "60000");
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        var run = await RunAsync(emulator, ThreeJobs);

        var started = await CiCli.Depot(emulator, Org, null, "ci", "status", run);
        Assert.Contains($"Run: {run} (running)", started.Output);
        Assert.Contains("[build] (running)", started.Output);
        Assert.Contains("[test] (waiting)", started.Output);
        Assert.Contains("[deploy] (waiting)", started.Output);

        await CiCli.AdvanceAsync(emulator, 60);
        var middle = await CiCli.Depot(emulator, Org, null, "ci", "status", run);
        Assert.Contains("[build] (finished)", middle.Output);
        Assert.Contains("[test] (running)", middle.Output);
        var build = await CiCli.Depot(emulator, Org, null, "ci", "logs", run, "--job", "build");
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("compiled", build.Stdout);

        await CiCli.AdvanceAsync(emulator, 120);
        var done = await CiCli.Depot(emulator, Org, null, "ci", "status", run);
        Assert.Contains($"Run: {run} (finished)", done.Output);
        Assert.Contains("[deploy] (finished)", done.Output);
        var deploy = await CiCli.Depot(emulator, Org, null, "ci", "logs", run, "--job", "deploy");
        Assert.Equal(["##[group]Run echo deployed", "echo deployed", "##[endgroup]", "deployed"], deploy.Stdout.Trim().Split('\n'));

        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark), "three-jobs");
    }

    [Fact]
    public async Task A_scripted_failure_is_diagnosed_retried_and_cancelled()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "3", "--ci-step-ms", "60000");
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        var run = await RunAsync(emulator, """
            name: CI
            on: push
            jobs:
              lint:
                runs-on: depot-ubuntu-latest
                steps:
                  - run: echo linting
                  - name: Check formatting
                    run: ./check-format
                    env: {DEPOT_EMULATOR_FAIL: 3 files are not formatted}
            """);
        await CiCli.AdvanceAsync(emulator, 120);

        var diagnosis = await CiCli.Depot(emulator, Org, null, "ci", "diagnose", "--run", run);
        Assert.True(diagnosis.ExitCode == 0, diagnosis.Output);
        Assert.Contains("Error: 3 files are not formatted", diagnosis.Output);
        Assert.Contains("Step \"Check formatting\" failed", diagnosis.Output);
        Assert.Contains("##[error]3 files are not formatted", diagnosis.Output);

        var job = CiCli.Job((await CiCli.RunsAsync(emulator))[0], "lint").GetProperty("id").GetString()!;
        var retry = await CiCli.Depot(emulator, Org, null, "ci", "retry", run, "--job", job);
        Assert.True(retry.ExitCode == 0, retry.Output);
        Assert.Contains($"Retrying job {job} (attempt #2, running)", retry.Output);

        var cancel = await CiCli.Depot(emulator, Org, null, "ci", "cancel", run);
        Assert.True(cancel.ExitCode == 0, cancel.Output);
        Assert.Contains($"Cancelled run {run} (cancelled)", cancel.Output);
        var status = await CiCli.Depot(emulator, Org, null, "ci", "status", run);
        Assert.Contains("Attempt #1 (failed)", status.Output);
        Assert.Contains("Attempt #2 (cancelled)", status.Output);

        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark), "failure");
    }

    [Fact]
    public async Task Followed_logs_survive_a_dropped_stream_without_repeating_a_line()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--ci-step-ms", "60000");
        var run = await RunAsync(emulator, """
            name: CI
            on: push
            jobs:
              build:
                runs-on: depot-ubuntu-latest
                steps:
                  - run: echo one
                  - run: echo two
                  - run: echo three
            """);
        var job = CiCli.Job((await CiCli.RunsAsync(emulator))[0], "build").GetProperty("id").GetString()!;
        using var follow = CiCli.Start(emulator, Org, "ci", "logs", job, "--follow");

        await Task.Delay(TimeSpan.FromSeconds(2));
        await CiCli.AdvanceAsync(emulator, 60);
        await Task.Delay(TimeSpan.FromSeconds(1));
        (await emulator.Http.PostAsync("/_emulator/ci/log-streams/drop", null)).EnsureSuccessStatusCode();
        await CiCli.AdvanceAsync(emulator, 60);
        await Task.Delay(TimeSpan.FromSeconds(1));
        (await emulator.Http.PostAsync("/_emulator/ci/log-streams/drop", null)).EnsureSuccessStatusCode();
        await CiCli.AdvanceAsync(emulator, 60);
        var result = await follow.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = result.Stdout.Trim().Split('\n').Select(l => l.Trim()).ToList();
        Assert.Equal(["one", "two", "three"], lines.Where(l => l is "one" or "two" or "three"));
        Assert.Equal(lines.Count, lines.Distinct().Count() + lines.Count(l => l == "##[endgroup]") - 1);
        var streams = await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, 0);
        Assert.True(streams.Count(e => e!["operation"]!.GetValue<string>() == "depot.ci.v1.CIService/StreamJobAttemptLogs") >= 3,
            "the CLI reconnected after each drop");
    }

    [Fact]
    public async Task Secrets_are_set_listed_by_name_only_and_removed()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "4");
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        var add = await CiCli.Depot(emulator, Org, null, "ci", "secrets", "add", "DEPLOY_KEY=very-secret-value", "--org", "org-acme");
        Assert.True(add.ExitCode == 0, add.Output);
        var list = await CiCli.Depot(emulator, Org, null, "ci", "secrets", "list", "--org", "org-acme");
        Assert.Contains("DEPLOY_KEY", list.Output);
        Assert.DoesNotContain("very-secret-value", list.Output);
        var remove = await CiCli.Depot(emulator, Org, null, "ci", "secrets", "remove", "DEPLOY_KEY", "--force", "--org", "org-acme");
        Assert.True(remove.ExitCode == 0, remove.Output);
        var after = await CiCli.Depot(emulator, Org, null, "ci", "secrets", "list", "--org", "org-acme");
        Assert.DoesNotContain("DEPLOY_KEY", after.Output);

        var exchanges = await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark);
        Assert.DoesNotContain("very-secret-value", exchanges.ToJsonString());
        Assert.DoesNotContain("very-secret-value", await emulator.Http.GetStringAsync("/_emulator/journal?limit=1000"));
        ExchangeSnapshots.Match(exchanges, "secrets");
    }
}
