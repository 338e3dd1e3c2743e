namespace Depot.Emulator.Domain.Ci;

/// <summary>How simulated CI jobs behave; steps can script their own outcome (see <see cref="CiScript"/>).</summary>
public sealed class CiOptions
{
    /// <summary>How long a step takes on the emulator's clock unless it says otherwise.</summary>
    public TimeSpan StepDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Runs an organization keeps; the oldest finished ones go first.</summary>
    public int MaxRunsPerOrganization { get; set; } = 1000;

    /// <summary>Lines an attempt's log keeps; later lines are dropped with a note.</summary>
    public int MaxLogLinesPerAttempt { get; set; } = 20_000;
}

/// <summary>Step or job <c>env</c> entries that script what a simulated step does.</summary>
public static class CiScript
{
    /// <summary>The step fails with this message (on a job: its last step).</summary>
    public const string Fail = "DEPOT_EMULATOR_FAIL";

    /// <summary>The step takes this long: milliseconds, or <c>500ms</c>, <c>2s</c>, <c>10m</c> (on a job: each step).</summary>
    public const string Duration = "DEPOT_EMULATOR_DURATION";

    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : text.EndsWith('h') ? (text[..^1], 3_600_000.0)
            : (text, 1.0);
        return double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
               && value >= 0 && value < 1e10
            ? TimeSpan.FromMilliseconds(value * unit)
            : throw Errors.DepotErrors.Invalid($"{Duration} must be milliseconds or a duration such as 2s: got \"{text}\"");
    }
}
