using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.State;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using CoreV1 = Depot.Core.V1;

#pragma warning disable CS0612 // keep_bytes is deprecated in the schema but still what the CLI sends and shows

namespace Depot.Emulator.Services;

/// <summary>Domain records to wire messages.</summary>
internal static class ProtoMapping
{
    private static readonly EnumDescriptor HardwareEnum = CoreV1.ProjectReflection.Descriptor.FindTypeByName<EnumDescriptor>("Hardware");

    public static Timestamp ToTimestamp(this DateTimeOffset time) => Timestamp.FromDateTimeOffset(time);

    public static CoreV1.Project ToProto(this Project project) => new()
    {
        ProjectId = project.Id,
        OrganizationId = project.OrganizationId,
        Name = project.Name,
        RegionId = project.RegionId,
        CreatedAt = project.CreatedAt.ToTimestamp(),
        CachePolicy = new CoreV1.CachePolicy
        {
            KeepBytes = project.CachePolicy.KeepBytes,
            KeepGb = project.CachePolicy.KeepGb,
            KeepDays = project.CachePolicy.KeepDays,
        },
        Hardware = (CoreV1.Hardware)(HardwareEnum.FindValueByName(project.Hardware)?.Number ?? 0),
    };

    /// <summary>The CLI's older schema sends only keep_bytes; newer clients send keep_gb.</summary>
    public static CachePolicy ToDomain(this CoreV1.CachePolicy? policy, CachePolicy fallback)
    {
        if (policy is null)
        {
            return fallback;
        }

        var keepGb = policy.KeepGb > 0 ? policy.KeepGb
            : policy.HasKeepBytes && policy.KeepBytes > 0 ? (int)Math.Ceiling(policy.KeepBytes / (1024.0 * 1024 * 1024))
            : fallback.KeepGb;
        if (policy.KeepDays < 0 || keepGb < 0)
        {
            throw DepotErrors.Invalid("cache_policy values must not be negative");
        }

        return new CachePolicy(keepGb, policy.KeepDays);
    }

    public static string HardwareName(CoreV1.Hardware hardware) =>
        HardwareEnum.FindValueByNumber((int)hardware)?.Name
        ?? throw DepotErrors.Invalid($"unknown hardware value {(int)hardware}");

    public static CoreV1.TrustPolicy ToProto(this TrustPolicy policy)
    {
        var proto = new CoreV1.TrustPolicy { TrustPolicyId = policy.Id };
        switch (policy.Rule)
        {
            case GitHubTrust g:
                proto.Github = new CoreV1.TrustPolicy.Types.GitHub { RepositoryOwner = g.RepositoryOwner, Repository = g.Repository };
                break;
            case CircleCiTrust c:
                proto.Circleci = new CoreV1.TrustPolicy.Types.CircleCI { OrganizationUuid = c.OrganizationUuid, ProjectUuid = c.ProjectUuid };
                break;
            case BuildkiteTrust b:
                proto.Buildkite = new CoreV1.TrustPolicy.Types.Buildkite { OrganizationSlug = b.OrganizationSlug, PipelineSlug = b.PipelineSlug };
                break;
        }

        return proto;
    }
}
