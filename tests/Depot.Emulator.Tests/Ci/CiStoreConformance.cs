using Depot.Emulator.Domain.Ci;

namespace Depot.Emulator.Tests.Ci;

/// <summary>What every <see cref="ICiStore"/> and <see cref="ICiSettingsStore"/> must do; each implementation runs it.</summary>
public abstract class CiStoreConformance
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected abstract ICiStore Store { get; }

    protected abstract ICiSettingsStore Settings { get; }

    private static CiRun Run(string id, string org, DateTimeOffset at) => new(id, org, "acme/web", "main", "abc", "cli", CiStatus.Queued, at, null, null);

    private static CiLogLine Line(string attempt, int number) => new(attempt, number, "step-1", "Run it", T0, 0, $"line {number}");

    [Fact]
    public void Runs_are_listed_newest_first_per_organization_and_updates_replace()
    {
        Store.PutRun(Run("run_1", "org-a", T0));
        Store.PutRun(Run("run_2", "org-b", T0.AddSeconds(1)));
        Store.PutRun(Run("run_3", "org-a", T0.AddSeconds(2)));
        Store.PutRun(Run("run_1", "org-a", T0) with { Status = CiStatus.Running });

        Assert.Equal(["run_3", "run_1"], Store.Runs("org-a").Select(r => r.Id));
        Assert.Equal(CiStatus.Running, Store.FindRun("run_1")!.Status);
        Assert.Null(Store.FindRun("run_9"));
    }

    [Fact]
    public void Workflows_keep_their_order_and_jobs_their_ordinals()
    {
        var inputs = new Dictionary<string, string> { ["env"] = "prod" };
        Store.PutWorkflow(new CiWorkflow("wf_2", "run_1", "org-a", "B", "b.yml", "jobs: {}", inputs, CiStatus.Queued, null, 1, T0, null, null));
        Store.PutWorkflow(new CiWorkflow("wf_1", "run_1", "org-a", "A", "a.yml", "jobs: {}", inputs, CiStatus.Queued, null, 1, T0, null, null));
        Store.PutJob(new CiJob("job_b", "wf_1", "run_1", "org-a", 1, "b", "b", CiStatus.Waiting, 0, T0, null, null));
        Store.PutJob(new CiJob("job_a", "wf_1", "run_1", "org-a", 0, "a", "a", CiStatus.Queued, 0, T0, null, null));

        Assert.Equal(["wf_2", "wf_1"], Store.Workflows("run_1").Select(w => w.Id));
        Assert.Equal("prod", Store.FindWorkflow("wf_1")!.Inputs["env"]);
        Assert.Equal(["job_a", "job_b"], Store.Jobs("wf_1").Select(j => j.Id));
        Assert.Empty(Store.Jobs("wf_2"));
    }

    [Fact]
    public void Attempts_are_ordered_by_number()
    {
        Store.PutAttempt(new CiAttempt("att_2", "job_a", "org-a", 2, CiStatus.Running, T0, T0, null, 0, null, null, null));
        Store.PutAttempt(new CiAttempt("att_1", "job_a", "org-a", 1, CiStatus.Failed, T0, T0, T0, 4, "Test", "boom", null));

        Assert.Equal([1, 2], Store.Attempts("job_a").Select(a => a.Number));
        Assert.Equal("boom", Store.FindAttempt("att_1")!.ErrorMessage);
    }

    [Fact]
    public void Logs_append_in_sequence_and_page_after_a_line()
    {
        Store.AppendLogs("att_1", [Line("att_1", 1), Line("att_1", 2)]);
        Store.AppendLogs("att_1", [Line("att_1", 3)]);

        Assert.Equal(3, Store.LogCount("att_1"));
        Assert.Equal([2, 3], Store.Logs("att_1", 1, 10).Select(l => l.Number));
        Assert.Equal([1], Store.Logs("att_1", 0, 1).Select(l => l.Number));
        Assert.Empty(Store.Logs("att_2", 0, 10));
    }

    [Fact]
    public void A_log_line_out_of_sequence_is_refused_and_nothing_is_written()
    {
        Store.AppendLogs("att_1", [Line("att_1", 1)]);

        Assert.ThrowsAny<ArgumentException>(() => Store.AppendLogs("att_1", [Line("att_1", 2), Line("att_1", 4)]));
        Assert.Equal(1, Store.LogCount("att_1"));
    }

    [Fact]
    public void Secret_variants_keep_only_a_hash_and_stay_in_their_organization()
    {
        var hash = Domain.Identity.SecretHash.Of("s3cret");
        Settings.PutSecretVariant(new CiSecretVariant("secv_2", "org-a", "TOKEN", "prod", null, [KeyValuePair.Create("repository", "acme/web")], hash, T0));
        Settings.PutSecretVariant(new CiSecretVariant("secv_1", "org-a", "TOKEN", "default", "the token", [], hash, T0));
        Settings.PutSecretVariant(new CiSecretVariant("secv_3", "org-b", "OTHER", "default", null, [], hash, T0));

        Assert.Equal(["default", "prod"], Settings.SecretVariants("org-a").Select(v => v.VariantName));
        Assert.Null(Settings.FindSecretVariant("org-b", "secv_1"));
        Assert.True(Domain.Identity.SecretHash.Matches(Settings.FindSecretVariant("org-a", "secv_1")!.ValueHash, "s3cret"));
        Assert.False(Settings.DeleteSecretVariant("org-b", "secv_1"));
        Assert.True(Settings.DeleteSecretVariant("org-a", "secv_1"));
        Assert.Equal(["secv_2"], Settings.SecretVariants("org-a").Select(v => v.Id));
    }

    [Fact]
    public void Variable_variants_keep_their_values()
    {
        Settings.PutVariableVariant(new CiVariableVariant("varv_1", "org-a", "REGION", "default", null, [], "us-east-1", T0));
        Settings.PutVariableVariant(new CiVariableVariant("varv_1", "org-a", "REGION", "default", null, [], "eu-central-1", T0));

        Assert.Equal("eu-central-1", Settings.FindVariableVariant("org-a", "varv_1")!.Value);
        Assert.Single(Settings.VariableVariants("org-a"));
        Assert.True(Settings.DeleteVariableVariant("org-a", "varv_1"));
        Assert.Empty(Settings.VariableVariants("org-a"));
    }
}

public sealed class MemoryCiStoreTests : CiStoreConformance
{
    protected override ICiStore Store { get; } = new MemoryCiStore();

    protected override ICiSettingsStore Settings { get; } = new MemoryCiSettingsStore();
}
