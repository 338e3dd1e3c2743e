using Depot.Ci.V1;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Ci;

namespace Depot.Emulator.Services.Ci;

/// <summary>
/// CPU and memory of simulated attempts: one sample every ten seconds of the attempt's time, from a fixed curve,
/// so the same run always reports the same numbers.
/// </summary>
internal sealed partial class CiServiceHandler
{
    public const int MaxSamples = 500;
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(10);
    private const ulong MemoryLimitBytes = 8UL << 30;

    private Task<GetJobAttemptMetricsResponse> GetJobAttemptMetrics(GetJobAttemptMetricsRequest request, ConnectCallContext context)
    {
        var (run, workflow, job, attempt) = engine.Attempt(Org(context), Require(request.AttemptId, "attempt_id"));
        var samples = Samples(attempt);
        var metrics = new CIMetricsAttemptMetrics
        {
            Attempt = AttemptContext(attempt), Availability = Availability(samples), Stats = Stats(samples, attempt), Cap = Cap(samples),
        };
        metrics.Samples.Add(samples);
        return Task.FromResult(new GetJobAttemptMetricsResponse
        {
            Run = RunContext(run), Workflow = WorkflowContext(workflow), Job = JobContext(job), Attempt = metrics, SnapshotAt = CiMapping.Time(engine.Now),
        });
    }

    private Task<GetJobMetricsResponse> GetJobMetrics(GetJobMetricsRequest request, ConnectCallContext context)
    {
        var (run, workflow, job) = engine.Job(Org(context), Require(request.JobId, "job_id"));
        var response = new GetJobMetricsResponse { Run = RunContext(run), Workflow = WorkflowContext(workflow), Job = JobContext(job), SnapshotAt = CiMapping.Time(engine.Now) };
        response.Attempts.Add(job.Attempts.Select(AttemptSummary));
        return Task.FromResult(response);
    }

    private Task<GetRunMetricsResponse> GetRunMetrics(GetRunMetricsRequest request, ConnectCallContext context)
    {
        var run = engine.Run(Org(context), Require(request.RunId, "run_id"));
        var response = new GetRunMetricsResponse { Run = RunContext(run), SnapshotAt = CiMapping.Time(engine.Now) };
        foreach (var workflow in run.Workflows)
        {
            var w = new CIMetricsWorkflowMetrics { Workflow = WorkflowContext(workflow) };
            foreach (var job in workflow.Jobs)
            {
                var j = new CIMetricsJobMetrics { Job = JobContext(job) };
                j.Attempts.Add(job.Attempts.Select(AttemptSummary));
                w.Jobs.Add(j);
            }

            response.Workflows.Add(w);
        }

        return Task.FromResult(response);
    }

    private CIMetricsAttemptSummary AttemptSummary(CiAttempt attempt)
    {
        var samples = Samples(attempt);
        return new CIMetricsAttemptSummary { Attempt = AttemptContext(attempt), Availability = Availability(samples), Stats = Stats(samples, attempt), Cap = Cap(samples) };
    }

    private List<CIMetricSample> Samples(CiAttempt attempt)
    {
        var samples = new List<CIMetricSample>();
        if (attempt.StartedAt is not { } start)
        {
            return samples;
        }

        var end = attempt.FinishedAt ?? engine.Now;
        for (var (t, i) = (start, 0); t <= end && samples.Count < MaxSamples; t += SampleInterval, i++)
        {
            var memory = (1UL << 30) + (ulong)(i % 8) * (64UL << 20);
            samples.Add(new CIMetricSample
            {
                Timestamp = CiMapping.Time(t), CpuUtilization = 0.2 + 0.1 * (i * 3 % 6), MemoryUsageBytes = memory,
                MemoryUtilization = (double)memory / MemoryLimitBytes,
            });
        }

        return samples;
    }

    private static CIMetricsAvailability Availability(List<CIMetricSample> samples) => samples.Count > 0
        ? new CIMetricsAvailability { Code = CIMetricsAvailabilityCode.Available }
        : new CIMetricsAvailability { Code = CIMetricsAvailabilityCode.NoTimeRange, Reason = "the attempt has not started" };

    private static CIMetricsStats Stats(List<CIMetricSample> samples, CiAttempt attempt)
    {
        var stats = new CIMetricsStats
        {
            SampleCount = (uint)samples.Count, CpuSampleCount = (uint)samples.Count, MemorySampleCount = (uint)samples.Count,
            ObservedStartedAt = CiMapping.Time(attempt.StartedAt), ObservedFinishedAt = CiMapping.Time(attempt.FinishedAt),
        };
        if (samples.Count > 0)
        {
            stats.PeakCpuUtilization = samples.Max(s => s.CpuUtilization);
            stats.AverageCpuUtilization = samples.Average(s => s.CpuUtilization);
            stats.PeakMemoryUtilization = samples.Max(s => s.MemoryUtilization);
            stats.AverageMemoryUtilization = samples.Average(s => s.MemoryUtilization);
            stats.PeakMemoryUsageBytes = samples.Max(s => s.MemoryUsageBytes);
            stats.AverageMemoryUsageBytes = samples.Average(s => (double)s.MemoryUsageBytes);
        }

        return stats;
    }

    private static CIMetricsCapMetadata Cap(List<CIMetricSample> samples) => new()
    {
        RawSampleCount = (uint)samples.Count, ReturnedSampleCount = (uint)samples.Count, MaxReturnedSampleCount = MaxSamples,
    };

    private static CIMetricsRunContext RunContext(RunView run) => new()
    {
        RunId = run.Run.Id, Repo = run.Run.Repo, Ref = run.Run.Ref, Sha = run.Run.Sha, HeadSha = run.Run.Sha, Trigger = run.Run.Trigger,
        Status = run.Run.Status, CreatedAt = CiMapping.Time(run.Run.CreatedAt), StartedAt = CiMapping.Time(run.Run.StartedAt),
        FinishedAt = CiMapping.Time(run.Run.FinishedAt),
    };

    private static CIMetricsWorkflowContext WorkflowContext(WorkflowView workflow) => new()
    {
        WorkflowId = workflow.Workflow.Id, WorkflowPath = workflow.Workflow.Path, Name = workflow.Workflow.Name, Status = workflow.Workflow.Status,
        CreatedAt = CiMapping.Time(workflow.Workflow.CreatedAt), StartedAt = CiMapping.Time(workflow.Workflow.StartedAt),
        FinishedAt = CiMapping.Time(workflow.Workflow.FinishedAt),
    };

    private static CIMetricsJobContext JobContext(JobView job) => new()
    {
        JobId = job.Job.Id, JobKey = job.Job.Key, Status = job.Job.Status, Conclusion = Conclusion(job.Job.Status), CurrentAttempt = job.Job.CurrentAttempt,
        CreatedAt = CiMapping.Time(job.Job.CreatedAt), StartedAt = CiMapping.Time(job.Job.StartedAt), FinishedAt = CiMapping.Time(job.Job.FinishedAt),
    };

    private static CIMetricsAttemptContext AttemptContext(CiAttempt attempt) => new()
    {
        AttemptId = attempt.Id, Attempt = attempt.Number, Status = attempt.Status, Conclusion = Conclusion(attempt.Status),
        CreatedAt = CiMapping.Time(attempt.CreatedAt), StartedAt = CiMapping.Time(attempt.StartedAt), FinishedAt = CiMapping.Time(attempt.FinishedAt),
    };

    private static string Conclusion(string status) => status switch
    {
        CiStatus.Finished => "success",
        CiStatus.Failed => "failure",
        CiStatus.Cancelled => "cancelled",
        CiStatus.Skipped => "skipped",
        _ => "",
    };
}
