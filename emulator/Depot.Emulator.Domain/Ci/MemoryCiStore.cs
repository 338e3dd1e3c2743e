namespace Depot.Emulator.Domain.Ci;

/// <summary>CI state in memory: one lock, nothing survives the process.</summary>
public sealed class MemoryCiStore : ICiStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, CiRun> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CiWorkflow> _workflows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CiJob> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CiAttempt> _attempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<CiLogLine>> _logs = new(StringComparer.Ordinal);
    private readonly List<string> _runOrder = [];
    private readonly List<string> _workflowOrder = [];

    public void PutRun(CiRun run)
    {
        lock (_lock)
        {
            if (_runs.TryAdd(run.Id, run))
            {
                _runOrder.Add(run.Id);
            }
            else
            {
                _runs[run.Id] = run;
            }
        }
    }

    public CiRun? FindRun(string id)
    {
        lock (_lock)
        {
            return _runs.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<CiRun> Runs(string organizationId)
    {
        lock (_lock)
        {
            return Enumerable.Reverse(_runOrder).Select(id => _runs[id]).Where(r => r.OrganizationId == organizationId).ToList();
        }
    }

    public void PutWorkflow(CiWorkflow workflow)
    {
        lock (_lock)
        {
            if (_workflows.TryAdd(workflow.Id, workflow))
            {
                _workflowOrder.Add(workflow.Id);
            }
            else
            {
                _workflows[workflow.Id] = workflow;
            }
        }
    }

    public CiWorkflow? FindWorkflow(string id)
    {
        lock (_lock)
        {
            return _workflows.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<CiWorkflow> Workflows(string runId)
    {
        lock (_lock)
        {
            return _workflowOrder.Select(id => _workflows[id]).Where(w => w.RunId == runId).ToList();
        }
    }

    public void PutJob(CiJob job)
    {
        lock (_lock)
        {
            _jobs[job.Id] = job;
        }
    }

    public CiJob? FindJob(string id)
    {
        lock (_lock)
        {
            return _jobs.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<CiJob> Jobs(string workflowId)
    {
        lock (_lock)
        {
            return _jobs.Values.Where(j => j.WorkflowId == workflowId).OrderBy(j => j.Ordinal).ToList();
        }
    }

    public void PutAttempt(CiAttempt attempt)
    {
        lock (_lock)
        {
            _attempts[attempt.Id] = attempt;
        }
    }

    public CiAttempt? FindAttempt(string id)
    {
        lock (_lock)
        {
            return _attempts.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<CiAttempt> Attempts(string jobId)
    {
        lock (_lock)
        {
            return _attempts.Values.Where(a => a.JobId == jobId).OrderBy(a => a.Number).ToList();
        }
    }

    public void AppendLogs(string attemptId, IReadOnlyList<CiLogLine> lines)
    {
        lock (_lock)
        {
            var log = _logs.TryGetValue(attemptId, out var existing) ? existing : _logs[attemptId] = [];
            for (var i = 0; i < lines.Count; i++)
            {
                if (lines[i].AttemptId != attemptId || lines[i].Number != log.Count + i + 1)
                {
                    throw new ArgumentException($"log line {lines[i].Number} does not follow line {log.Count + i} of attempt {attemptId}");
                }
            }

            log.AddRange(lines);
        }
    }

    public IReadOnlyList<CiLogLine> Logs(string attemptId, int afterLine, int limit)
    {
        lock (_lock)
        {
            return _logs.TryGetValue(attemptId, out var log)
                ? log.Skip(Math.Max(0, afterLine)).Take(Math.Max(0, limit)).ToList()
                : [];
        }
    }

    public int LogCount(string attemptId)
    {
        lock (_lock)
        {
            return _logs.TryGetValue(attemptId, out var log) ? log.Count : 0;
        }
    }
}

/// <summary>Secrets and variables in memory.</summary>
public sealed class MemoryCiSettingsStore : ICiSettingsStore
{
    private readonly Variants<CiSecretVariant> _secrets = new(v => v.Id, v => v.OrganizationId, v => (v.SecretName, v.VariantName));
    private readonly Variants<CiVariableVariant> _variables = new(v => v.Id, v => v.OrganizationId, v => (v.VariableName, v.VariantName));

    public void PutSecretVariant(CiSecretVariant variant) => _secrets.Put(variant);

    public CiSecretVariant? FindSecretVariant(string organizationId, string id) => _secrets.Find(organizationId, id);

    public IReadOnlyList<CiSecretVariant> SecretVariants(string organizationId) => _secrets.All(organizationId);

    public bool DeleteSecretVariant(string organizationId, string id) => _secrets.Delete(organizationId, id);

    public void PutVariableVariant(CiVariableVariant variant) => _variables.Put(variant);

    public CiVariableVariant? FindVariableVariant(string organizationId, string id) => _variables.Find(organizationId, id);

    public IReadOnlyList<CiVariableVariant> VariableVariants(string organizationId) => _variables.All(organizationId);

    public bool DeleteVariableVariant(string organizationId, string id) => _variables.Delete(organizationId, id);

    private sealed class Variants<T>(Func<T, string> id, Func<T, string> organization, Func<T, (string Name, string Variant)> order)
        where T : class
    {
        private readonly object _lock = new();
        private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);

        public void Put(T item)
        {
            lock (_lock)
            {
                _items[id(item)] = item;
            }
        }

        public T? Find(string organizationId, string itemId)
        {
            lock (_lock)
            {
                return _items.TryGetValue(itemId, out var item) && organization(item) == organizationId ? item : null;
            }
        }

        public IReadOnlyList<T> All(string organizationId)
        {
            lock (_lock)
            {
                return _items.Values.Where(i => organization(i) == organizationId)
                    .OrderBy(i => order(i).Name, StringComparer.Ordinal).ThenBy(i => order(i).Variant, StringComparer.Ordinal).ToList();
            }
        }

        public bool Delete(string organizationId, string itemId)
        {
            lock (_lock)
            {
                return Find(organizationId, itemId) is not null && _items.Remove(itemId);
            }
        }
    }
}
