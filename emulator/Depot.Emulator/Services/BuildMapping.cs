using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Errors;
using DomainBuild = Depot.Emulator.Domain.Builds.Build;
using Google.Protobuf.WellKnownTypes;
using CliV1 = Depot.Cli.V1;
using CoreV1 = Depot.Core.V1;

namespace Depot.Emulator.Services;

/// <summary>Builds between the domain and the three wire schemas that show them.</summary>
internal static class BuildMapping
{
    public static BuildTarget ToDomain(this CliV1.BuildOptions options) => new(
        options.Command.ToString().ToLowerInvariant(),
        options.Tags.ToList(),
        options.Push,
        options.Load,
        options.Save,
        options.SaveTags.ToList(),
        options.HasTargetName ? options.TargetName : null,
        options.Lint,
        options.Outputs.Select(o => new BuildOutput(o.Kind, o.Attributes.ToDictionary())).ToList());

    public static CliV1.BuildOptions ToProto(this BuildTarget target)
    {
        var options = new CliV1.BuildOptions
        {
            Command = System.Enum.TryParse<CliV1.Command>(target.Command, ignoreCase: true, out var command) ? command : CliV1.Command.Unspecified,
            Push = target.Push,
            Load = target.Load,
            Save = target.Save,
            Lint = target.Lint,
        };
        options.Tags.Add(target.Tags);
        options.SaveTags.Add(target.SaveTags);
        if (target.TargetName is not null)
        {
            options.TargetName = target.TargetName;
        }

        foreach (var output in target.Outputs)
        {
            var proto = new CliV1.BuildOutput { Kind = output.Kind };
            proto.Attributes.Add(output.Attributes.ToDictionary());
            options.Outputs.Add(proto);
        }

        return options;
    }

    public static CliV1.Build ToCliProto(this DomainBuild build)
    {
        var proto = new CliV1.Build
        {
            Id = build.Id,
            Status = build.State switch
            {
                BuildState.Running => CliV1.BuildStatus.Running,
                BuildState.Succeeded => CliV1.BuildStatus.Finished,
                BuildState.Canceled => CliV1.BuildStatus.Canceled,
                _ => CliV1.BuildStatus.Failed,
            },
            CreatedAt = Timestamp.FromDateTimeOffset(build.CreatedAt),
        };
        if (build.FinishedAt is { } finished)
        {
            proto.FinishedAt = Timestamp.FromDateTimeOffset(finished);
        }

        return proto;
    }

    public static CoreV1.Build ToCoreProto(this DomainBuild build, IReadOnlyList<BuildStep> steps)
    {
        var proto = new CoreV1.Build
        {
            BuildId = build.Id,
            Status = build.State switch
            {
                BuildState.Running => CoreV1.Build.Types.Status.Running,
                BuildState.Succeeded => CoreV1.Build.Types.Status.Success,
                BuildState.Failed => CoreV1.Build.Types.Status.Failed,
                BuildState.Canceled => CoreV1.Build.Types.Status.Canceled,
                _ => CoreV1.Build.Types.Status.Error,
            },
            CreatedAt = Timestamp.FromDateTimeOffset(build.CreatedAt),
            TotalSteps = steps.Count,
            CachedSteps = steps.Count(s => s.Cached),
        };
        if (build.StartedAt is { } started)
        {
            proto.StartedAt = Timestamp.FromDateTimeOffset(started);
        }

        if (build.FinishedAt is { } finished)
        {
            proto.FinishedAt = Timestamp.FromDateTimeOffset(finished);
            proto.BuildDurationSeconds = (int)Math.Round((finished - (build.StartedAt ?? build.CreatedAt)).TotalSeconds);
            proto.SavedDurationSeconds = 0;
        }

        return proto;
    }

    /// <summary>The platform names builders are acquired for; unspecified means amd64, as Depot defaults.</summary>
    public static string PlatformName(CliV1.BuilderPlatform platform) => platform switch
    {
        CliV1.BuilderPlatform.Unspecified or CliV1.BuilderPlatform.Amd64 => "amd64",
        CliV1.BuilderPlatform.Arm64 => "arm64",
        _ => throw DepotErrors.Invalid($"unknown platform {(int)platform}"),
    };

    public static string PlatformName(Depot.BuildKit.V1.Platform platform) => platform switch
    {
        Depot.BuildKit.V1.Platform.Unspecified or Depot.BuildKit.V1.Platform.Amd64 => "amd64",
        Depot.BuildKit.V1.Platform.Arm64 => "arm64",
        _ => throw DepotErrors.Invalid($"unknown platform {(int)platform}"),
    };

    /// <summary>Feeds BuildKit status batches the CLI reports into the build's steps and logs.</summary>
    public static void Record(this BuildProgress progress, IEnumerable<Moby.BuildKit.V1.StatusResponse> statuses)
    {
        foreach (var status in statuses)
        {
            foreach (var vertex in status.Vertexes)
            {
                progress.RecordVertex(new VertexReport(vertex.Digest, vertex.Name, vertex.Cached, Time(vertex.Started),
                    Time(vertex.Completed), vertex.Error, vertex.StableDigest));
            }

            foreach (var log in status.Logs)
            {
                progress.RecordLog(log.Vertex, Time(log.Timestamp) ?? DateTimeOffset.UnixEpoch, (int)log.Stream, log.Msg.ToStringUtf8());
            }
        }
    }

    /// <summary>BuildKit sends zero times (year 1) for unset fields; they mean nothing. A time past the clock's range is refused.</summary>
    public static DateTimeOffset? Time(Timestamp? time) =>
        time is null || time.Seconds <= 0 ? null
        : time.Seconds > LatestSeconds || time.Nanos is < 0 or > 999_999_999 ? throw DepotErrors.TimeOutOfRange.Raise($"timestamp {time.Seconds}s")
        : time.ToDateTimeOffset();

    private static readonly long LatestSeconds = Domain.Time.EmulatorClock.Latest.ToUnixTimeSeconds();
}
