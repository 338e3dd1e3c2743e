namespace Depot.Emulator.Domain.Ci;

/// <summary>When each step of an attempt runs, whether it runs, and how it ends: all decided by the workflow and the start time.</summary>
public sealed record StepPlan(StepDefinition Step, bool Runs, DateTimeOffset Start, DateTimeOffset End, string? Failure, string? SkipReason);

public sealed record AttemptPlan(IReadOnlyList<StepPlan> Steps, DateTimeOffset End)
{
    public StepPlan? FailedStep => Steps.FirstOrDefault(s => s.Failure is not null);

    public static AttemptPlan For(JobDefinition job, DateTimeOffset start, ExpressionContext context, TimeSpan defaultDuration)
    {
        var steps = new List<StepPlan>();
        var t = start;
        var failed = false;
        foreach (var step in job.Steps)
        {
            var stepContext = new ExpressionContext
            {
                Inputs = context.Inputs, Matrix = context.Matrix, Vars = context.Vars, Github = context.Github, Failed = failed,
            };
            if (!Expressions.Evaluate(step.If, stepContext))
            {
                steps.Add(new StepPlan(step, false, t, t, null, failed && step.If is null ? "an earlier step failed" : $"if: {step.If} was false"));
                continue;
            }

            var duration = CiScript.ParseDuration(step.Env.GetValueOrDefault(CiScript.Duration))
                ?? CiScript.ParseDuration(job.Env.GetValueOrDefault(CiScript.Duration))
                ?? defaultDuration;
            var failure = step.Env.GetValueOrDefault(CiScript.Fail)
                ?? (step.Index == job.Steps.Count ? job.Env.GetValueOrDefault(CiScript.Fail) : null);
            var end = t + duration;
            steps.Add(new StepPlan(step, true, t, end, failure, null));
            failed |= failure is not null;
            t = end;
        }

        return new AttemptPlan(steps, t);
    }

    /// <summary>
    /// The log lines of one phase: even phases start a step (or say it was skipped), odd phases end it.
    /// </summary>
    public IEnumerable<(DateTimeOffset At, int Stream, string Body)> Phase(int phase, ExpressionContext context)
    {
        var plan = Steps[phase / 2];
        var step = plan.Step;
        if (phase % 2 == 0)
        {
            if (!plan.Runs)
            {
                yield return (plan.Start, 0, $"Skipped {step.Name}: {plan.SkipReason}");
                yield break;
            }

            yield return (plan.Start, 0, $"##[group]{step.Name}");
            var command = Expressions.Substitute(step.Run ?? step.Uses ?? "", context);
            foreach (var line in command.TrimEnd().Split('\n'))
            {
                yield return (plan.Start, 0, line.TrimEnd('\r'));
            }

            yield return (plan.Start, 0, "##[endgroup]");
            yield break;
        }

        if (!plan.Runs)
        {
            yield break;
        }

        foreach (var line in (step.Run is null ? "" : Expressions.Substitute(step.Run, context)).Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("echo ", StringComparison.Ordinal) && !trimmed.Contains('>'))
            {
                yield return (plan.End, 0, trimmed[5..].Trim().Trim('"', '\''));
            }
        }

        if (plan.Failure is { } failure)
        {
            yield return (plan.End, 1, $"##[error]{failure}");
            yield return (plan.End, 1, "##[error]Process completed with exit code 1.");
        }
    }

    public int PhaseCount => Steps.Count * 2;

    public DateTimeOffset PhaseTime(int phase) => phase % 2 == 0 ? Steps[phase / 2].Start : Steps[phase / 2].End;
}
