namespace Depot.Emulator.Domain.Ci;

/// <summary>
/// Where Depot CI keeps runs, workflows, jobs, attempts and their logs. Plain records in and out, so a durable
/// implementation can sit behind it; every implementation passes <c>CiStoreConformance</c> in the tests.
/// </summary>
public interface ICiStore
{
    void PutRun(CiRun run);

    CiRun? FindRun(string id);

    /// <summary>The organization's runs, newest first.</summary>
    IReadOnlyList<CiRun> Runs(string organizationId);

    void PutWorkflow(CiWorkflow workflow);

    CiWorkflow? FindWorkflow(string id);

    /// <summary>The run's workflows in the order they were started.</summary>
    IReadOnlyList<CiWorkflow> Workflows(string runId);

    void PutJob(CiJob job);

    CiJob? FindJob(string id);

    /// <summary>The workflow's jobs by ordinal.</summary>
    IReadOnlyList<CiJob> Jobs(string workflowId);

    void PutAttempt(CiAttempt attempt);

    CiAttempt? FindAttempt(string id);

    /// <summary>The job's attempts by number.</summary>
    IReadOnlyList<CiAttempt> Attempts(string jobId);

    /// <summary>Appends lines; each must number one past the attempt's last line, else nothing is written.</summary>
    void AppendLogs(string attemptId, IReadOnlyList<CiLogLine> lines);

    /// <summary>Up to <paramref name="limit"/> lines numbered after <paramref name="afterLine"/>.</summary>
    IReadOnlyList<CiLogLine> Logs(string attemptId, int afterLine, int limit);

    int LogCount(string attemptId);
}

/// <summary>CI secrets and variables of organizations, one record per variant.</summary>
public interface ICiSettingsStore
{
    void PutSecretVariant(CiSecretVariant variant);

    CiSecretVariant? FindSecretVariant(string organizationId, string id);

    /// <summary>Ordered by secret name, then variant name.</summary>
    IReadOnlyList<CiSecretVariant> SecretVariants(string organizationId);

    bool DeleteSecretVariant(string organizationId, string id);

    void PutVariableVariant(CiVariableVariant variant);

    CiVariableVariant? FindVariableVariant(string organizationId, string id);

    IReadOnlyList<CiVariableVariant> VariableVariants(string organizationId);

    bool DeleteVariableVariant(string organizationId, string id);
}
