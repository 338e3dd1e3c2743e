namespace Depot.Emulator.BuildKit;

/// <summary>How the stand-in behaves. Builds can also script their outcome with build arguments (see <see cref="BuildArgs"/>).</summary>
public sealed class BuildKitOptions
{
    /// <summary>How long each step that is not cached takes.</summary>
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The version <c>Info</c> and the worker report.</summary>
    public string Version { get; set; } = "v0.11.6";
}

/// <summary>Build arguments a build sets to script what the emulator's BuildKit does.</summary>
public static class BuildArgs
{
    /// <summary>The last step fails with this message.</summary>
    public const string Fail = "DEPOT_EMULATOR_FAIL";

    /// <summary>The steps take this long in all: milliseconds, or a duration such as <c>2s</c>, <c>500ms</c>, <c>1m</c>.</summary>
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
            : (text, 1.0);
        return double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0
            ? TimeSpan.FromMilliseconds(value * unit)
            : throw new FormatException($"build-arg {Duration} must be milliseconds or a duration such as 2s: got \"{text}\"");
    }
}
