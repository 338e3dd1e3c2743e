using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Time;

namespace Depot.Emulator.Tests.Ci;

/// <summary>Runs move only when the clock does, job by job, with every transition stamped when it was due.</summary>
public class CiEngineTests
{
    private const string Org = "org-acme";

    private const string ThreeJobs = """
        name: CI
        jobs:
          build:
            steps: [{run: echo built}, {run: make}]
          test:
            needs: build
            steps: [{run: echo tested}]
          deploy:
            needs: [build, test]
            steps: [{run: echo deployed}]
        """;

    private readonly EmulatorClock _clock = new();
    private readonly CiEngine _engine;

    public CiEngineTests()
    {
        var store = new MemoryCiStore();
        var settings = new MemoryCiSettingsStore();
        _engine = new CiEngine(store, settings, _clock, new IdGenerator(1), new CiOptions { StepDuration = TimeSpan.FromSeconds(10) });
    }

    private RunView Start(string content, params string[] jobs) =>
        _engine.StartRun(Org, "acme/web", "abc123", "main", "cli", [("ci.yml", content)], jobs);

    private RunView Now(RunView run) => _engine.Run(Org, run.Run.Id);

    private static string Status(RunView run, string key) => run.Jobs.Single(j => j.Job.Key == key).Job.Status;

    [Fact]
    public void Needs_order_the_jobs_and_the_run_finishes_when_the_last_does()
    {
        var run = Start(ThreeJobs);
        Assert.Equal((CiStatus.Running, CiStatus.Waiting, CiStatus.Waiting), (Status(run, "build"), Status(run, "test"), Status(run, "deploy")));

        _clock.Advance(TimeSpan.FromSeconds(20));
        run = Now(run);
        Assert.Equal((CiStatus.Finished, CiStatus.Running, CiStatus.Waiting), (Status(run, "build"), Status(run, "test"), Status(run, "deploy")));
        Assert.Equal(CiStatus.Running, run.Run.Status);

        _clock.Advance(TimeSpan.FromSeconds(25));
        run = Now(run);
        Assert.Equal(CiStatus.Finished, run.Run.Status);
        var deploy = run.Jobs.Single(j => j.Job.Key == "deploy");
        Assert.Equal(run.Run.CreatedAt.AddSeconds(40), deploy.Job.FinishedAt);
        Assert.Equal(run.Run.CreatedAt.AddSeconds(40), run.Run.FinishedAt);
    }

    [Fact]
    public void Logs_appear_as_steps_start_and_end_and_are_written_once()
    {
        var run = Start(ThreeJobs);
        var attempt = run.Jobs.First().Latest!.Id;
        Assert.Equal(["##[group]Run echo built", "echo built", "##[endgroup]"], _engine.Logs(Org, attempt, 0, 100).Lines.Select(l => l.Body));

        _clock.Advance(TimeSpan.FromSeconds(60));
        Now(run);
        Now(run);
        var lines = _engine.Logs(Org, attempt, 0, 100).Lines;
        Assert.Equal(Enumerable.Range(1, lines.Count), lines.Select(l => l.Number));
        Assert.Equal(1, lines.Count(l => l.Body == "built"));
        Assert.Equal(["built", "##[group]Run make"], lines.Skip(3).Take(2).Select(l => l.Body));
    }

    [Fact]
    public void A_scripted_failure_fails_its_job_skips_the_dependents_and_is_diagnosed()
    {
        var run = Start("""
            jobs:
              lint:
                steps:
                  - run: echo linting
                  - name: Check formatting
                    run: ./check
                    env: {DEPOT_EMULATOR_FAIL: 3 files are not formatted, DEPOT_EMULATOR_DURATION: 2s}
                  - name: Report
                    if: failure()
                    run: echo reporting
                  - run: echo never
              after:
                needs: lint
                steps: [{run: echo never}]
            """);
        _clock.Advance(TimeSpan.FromSeconds(30));
        run = Now(run);

        Assert.Equal((CiStatus.Failed, CiStatus.Skipped, CiStatus.Failed), (Status(run, "lint"), Status(run, "after"), run.Run.Status));
        var attempt = run.Jobs.Single(j => j.Job.Key == "lint").Latest!;
        Assert.Equal(("Check formatting", "3 files are not formatted"), (attempt.FailedStep, attempt.ErrorMessage));
        Assert.Equal(run.Run.CreatedAt.AddSeconds(22), attempt.FinishedAt);
        var bodies = _engine.Logs(Org, attempt.Id, 0, 100).Lines.Select(l => l.Body).ToList();
        Assert.Contains("reporting", bodies);
        Assert.Contains("Skipped Run echo never: an earlier step failed", bodies);

        var failure = Assert.Single(_engine.Failures(run));
        Assert.Equal("Check formatting", failure.Step);
        Assert.Contains("##[error]3 files are not formatted", failure.RelevantLines.Select(l => l.Body));
    }

    [Fact]
    public void Retry_starts_a_new_attempt_and_the_dependents_wait_for_it_again()
    {
        var run = Start("""
            jobs:
              a: {steps: [{run: x, env: {DEPOT_EMULATOR_FAIL: boom}}]}
              b: {needs: a, steps: [{run: y}]}
            """);
        _clock.Advance(TimeSpan.FromSeconds(10));
        run = Now(run);
        Assert.Equal(CiStatus.Failed, run.Run.Status);
        var jobA = run.Jobs.Single(j => j.Job.Key == "a").Job;

        var (job, attempt) = _engine.RetryJob(Org, jobA.WorkflowId, jobA.Id);
        Assert.Equal((2, CiStatus.Running), (attempt.Number, job.Job.Status));
        run = Now(run);
        Assert.Equal((CiStatus.Waiting, CiStatus.Running), (Status(run, "b"), run.Run.Status));
        Assert.Throws<DepotException>(() => _engine.RetryJob(Org, jobA.WorkflowId, jobA.Id));
    }

    [Fact]
    public void Cancel_stops_what_runs_and_rerun_starts_a_new_execution()
    {
        var run = Start(ThreeJobs);
        run = _engine.CancelRun(Org, run.Run.Id);
        Assert.Equal((CiStatus.Cancelled, CiStatus.Cancelled, CiStatus.Cancelled), (Status(run, "build"), Status(run, "deploy"), run.Run.Status));
        Assert.Equal(CiStatus.Cancelled, run.Jobs.First().Latest!.Status);

        var workflow = _engine.RerunWorkflow(Org, run.Workflows[0].Workflow.Id);
        Assert.Equal(2, workflow.Workflow.Execution);
        run = Now(run);
        Assert.Equal((CiStatus.Running, 2), (Status(run, "build"), run.Jobs.First().Attempts.Count));
    }

    [Fact]
    public void Only_named_jobs_run_with_what_they_need_and_other_organizations_see_nothing()
    {
        var run = Start(ThreeJobs, "test");
        Assert.Equal(["build", "test"], run.Jobs.Select(j => j.Job.Key));
        Assert.Throws<DepotException>(() => _engine.Run("org-globex", run.Run.Id));
        Assert.Throws<DepotException>(() => Start(ThreeJobs, "nope"));
    }
}
