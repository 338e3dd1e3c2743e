using System.Security.Cryptography;
using System.Text;
using Depot.Ci.V1;
using Depot.Emulator.Domain.Ci;

namespace Depot.Emulator.Services.Ci;

/// <summary>
/// <c>GetFailureDiagnosis</c> from the failed attempts under a target: failures with the same message form one group;
/// each names its failed step and the step's last lines.
/// </summary>
internal static class CiDiagnosis
{
    public const int GroupLimit = 10;
    public const int RepresentativesPerGroup = 3;

    public static GetFailureDiagnosisResponse Build(RunView run, IReadOnlyList<FailedAttempt> failures, FailureDiagnosisTargetType type,
        string targetId, string status, (WorkflowView? W, JobView? J, CiAttempt? A) target)
    {
        var response = new GetFailureDiagnosisResponse
        {
            OrgId = run.Run.OrganizationId,
            Target = new FailureDiagnosisTarget { TargetId = targetId, TargetType = type, Status = Status(status) },
            Context = new FailureDiagnosisContext
            {
                RunId = run.Run.Id, Repo = run.Run.Repo, Ref = run.Run.Ref, Sha = run.Run.Sha, HeadSha = run.Run.Sha, Trigger = run.Run.Trigger,
                RunStatus = Status(run.Run.Status), WorkflowId = target.W?.Workflow.Id ?? "", WorkflowName = target.W?.Workflow.Name ?? "",
                WorkflowPath = target.W?.Workflow.Path ?? "", WorkflowStatus = target.W is null ? 0 : Status(target.W.Workflow.Status),
                JobId = target.J?.Job.Id ?? "", JobKey = target.J?.Job.Key ?? "", JobDisplayName = target.J?.Job.DisplayName ?? "",
                JobStatus = target.J is null ? 0 : Status(target.J.Job.Status), AttemptId = target.A?.Id ?? "", Attempt = target.A?.Number ?? 0,
                AttemptStatus = target.A is null ? 0 : Status(target.A.Status),
            },
            CommandCapabilities = new FailureDiagnosisCommandCapabilities { SummaryCommandAvailable = true },
        };
        var groups = failures.GroupBy(f => f.Message).ToList();
        response.State = failures.Count switch
        {
            0 => FailureDiagnosisState.Empty,
            1 => FailureDiagnosisState.FocusedFailure,
            _ => FailureDiagnosisState.GroupedFailures,
        };
        if (failures.Count == 0)
        {
            response.EmptyReason = FailureDiagnosisEmptyReason.NoFailureEvidence;
        }

        foreach (var group in groups.Take(GroupLimit))
        {
            var g = new FailureGroup
            {
                Fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(group.Key)))[..16].ToLowerInvariant(),
                Source = "step", Count = (uint)group.Count(), ErrorMessage = group.Key, ErrorMessageOriginalLength = (uint)group.Key.Length,
                Diagnosis = $"Step \"{group.First().Step}\" failed: {group.Key}",
                OmittedRepresentativeCount = (uint)Math.Max(0, group.Count() - RepresentativesPerGroup),
            };
            g.Representatives.Add(group.Take(RepresentativesPerGroup).Select(Representative));
            response.FailureGroups.Add(g);
        }

        if (failures.Count == 1)
        {
            response.RepresentativeAttempts.Add(Representative(failures[0]));
        }

        response.Bounds = new FailureDiagnosisBounds
        {
            FailedProblemCandidateCount = (uint)failures.Count, TotalProblemJobCount = (uint)failures.Count,
            TotalFailureGroupCount = (uint)groups.Count, OmittedFailureGroupCount = (uint)Math.Max(0, groups.Count - GroupLimit),
            FailureGroupLimit = GroupLimit, RepresentativesPerGroupLimit = RepresentativesPerGroup, RelevantLineLimit = CiEngine.RelevantLineLimit,
            TotalAttemptCount = (uint)failures.Count,
            SkippedDependentCount = (uint)run.Jobs.Count(j => j.Job.Status == CiStatus.Skipped),
        };
        return response;
    }

    private static RepresentativeAttempt Representative(FailedAttempt f)
    {
        var r = new RepresentativeAttempt
        {
            RunId = f.Run.Run.Id, WorkflowId = f.Workflow.Workflow.Id, WorkflowName = f.Workflow.Workflow.Name, WorkflowPath = f.Workflow.Workflow.Path,
            JobId = f.Job.Job.Id, JobKey = f.Job.Job.Key, JobDisplayName = f.Job.Job.DisplayName, JobStatus = Status(f.Job.Job.Status),
            JobConclusion = FailureDiagnosisConclusion.Failure, AttemptId = f.Attempt.Id, Attempt = f.Attempt.Number,
            AttemptStatus = Status(f.Attempt.Status), AttemptConclusion = FailureDiagnosisConclusion.Failure, ErrorMessage = f.Message,
            ErrorMessageOriginalLength = (uint)f.Message.Length, Diagnosis = $"Step \"{f.Step}\" failed: {f.Message}",
        };
        r.RelevantLines.Add(f.RelevantLines.Select(l => new RelevantErrorLine
        {
            StepId = l.StepKey, LineNumber = (uint)l.Number, Content = l.Body, ContentOriginalLength = (uint)l.Body.Length,
        }));
        r.NextCommands.Add(new DrillDownCommand
        {
            Kind = DrillDownCommandKind.Logs, Argv = { "depot", "ci", "logs", f.Attempt.Id }, TargetId = f.Attempt.Id, Label = "View logs",
        });
        return r;
    }

    private static FailureDiagnosisResourceStatus Status(string status) => status switch
    {
        CiStatus.Queued => FailureDiagnosisResourceStatus.Queued,
        CiStatus.Waiting => FailureDiagnosisResourceStatus.Waiting,
        CiStatus.Running => FailureDiagnosisResourceStatus.Running,
        CiStatus.Finished => FailureDiagnosisResourceStatus.Finished,
        CiStatus.Failed => FailureDiagnosisResourceStatus.Failed,
        CiStatus.Cancelled => FailureDiagnosisResourceStatus.Cancelled,
        CiStatus.Skipped => FailureDiagnosisResourceStatus.Skipped,
        _ => FailureDiagnosisResourceStatus.Unspecified,
    };
}
