using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Domain.Seeding;

/// <summary>Builds fresh state from a seed, checking every reference; an invalid seed throws before anything is swapped in.</summary>
internal static class SeedApplier
{
    private static Build SeededBuild(string id, Project project, DateTimeOffset now) =>
        new(id, project.Id, project.OrganizationId, BuildOrigin.Api, now, [], "", now);

    public static IReadOnlyList<IssuedToken> Apply(SeedDocument seed, StateStores data, DepotState state)
    {
        var now = state.Clock.GetUtcNow();
        var ids = state.Ids;

        foreach (var (org, i) in seed.Organizations.Select((o, i) => (o, i)))
        {
            var id = org.Id ?? ids.Id("org_");
            if (!data.Organizations.Add(new Organization(id, org.Name ?? id, now.AddSeconds(i))))
            {
                throw DepotErrors.Invalid($"seed: organization {id} appears twice");
            }
        }

        foreach (var user in seed.Users)
        {
            var id = user.Id ?? ids.Id("user_");
            foreach (var org in user.Organizations.Where(o => data.Organizations.Find(o) is null))
            {
                throw DepotErrors.Invalid($"seed: user {id} belongs to unknown organization {org}");
            }

            if (!data.Organizations.AddUser(new User(id, user.Name ?? id, user.Email ?? $"{id}@example.com", user.Organizations.Distinct().ToList())))
            {
                throw DepotErrors.Invalid($"seed: user {id} appears twice");
            }
        }

        foreach (var (project, i) in seed.Projects.Select((p, i) => (p, i)))
        {
            var id = project.Id ?? ids.ProjectId();
            var org = project.Organization ?? (data.Organizations.All() is [var only] ? only.Id : null)
                ?? throw DepotErrors.Invalid($"seed: project {id} needs an organization");
            if (data.Organizations.Find(org) is null)
            {
                throw DepotErrors.Invalid($"seed: project {id} belongs to unknown organization {org}");
            }

            var cache = new CachePolicy(project.CacheKeepGb ?? CachePolicy.Default.KeepGb, project.CacheKeepDays ?? CachePolicy.Default.KeepDays);
            var record = new Project(id, project.Name ?? id, org, project.Region ?? "us-east-1", now.AddSeconds(i), cache, "HARDWARE_UNSPECIFIED");
            if (!data.Projects.Add(record))
            {
                throw DepotErrors.Invalid($"seed: project {id} appears twice");
            }
        }

        foreach (var policy in seed.TrustPolicies)
        {
            var project = policy.Project ?? throw DepotErrors.Invalid("seed: a trust policy needs a project");
            if (data.Projects.Find(project) is null)
            {
                throw DepotErrors.Invalid($"seed: trust policy for unknown project {project}");
            }

            var rules = new TrustPolicyRule?[]
            {
                policy.Github is { } g ? new GitHubTrust(g.RepositoryOwner ?? "", g.Repository ?? "") : null,
                policy.Circleci is { } c ? new CircleCiTrust(c.OrganizationUuid ?? "", c.ProjectUuid ?? "") : null,
                policy.Buildkite is { } b ? new BuildkiteTrust(b.OrganizationSlug ?? "", b.PipelineSlug ?? "") : null,
                policy.Gitlab is { } l ? new GitLabTrust(l.ProjectPath ?? "", l.Ref) : null,
                policy.Rwx is { } r ? new RwxTrust(r.VaultSubject ?? "") : null,
            }.OfType<TrustPolicyRule>().ToList();
            if (rules.Count != 1)
            {
                throw DepotErrors.Invalid($"seed: a trust policy of project {project} needs exactly one of github, circleci, buildkite, gitlab, rwx");
            }

            try
            {
                var record = new TrustPolicy(policy.Id ?? ids.Id("tp_"), project, TrustRules.Validate(rules[0]));
                if (!data.TrustPolicies.Add(record))
                {
                    throw DepotErrors.Invalid($"trust policy {record.Id} appears twice");
                }
            }
            catch (DepotException e)
            {
                throw DepotErrors.Invalid($"seed: trust policy of project {project}: {e.Message}");
            }
        }

        foreach (var build in seed.Builds)
        {
            var id = build.Id ?? ids.Id("build_");
            var project = build.Project is { } p && data.Projects.Find(p) is { } found ? found
                : throw DepotErrors.Invalid($"seed: build {id} needs a known project, not \"{build.Project}\"");
            var status = build.Status?.ToLowerInvariant() switch
            {
                null or "running" => BuildState.Running,
                "succeeded" => BuildState.Succeeded,
                "failed" => BuildState.Failed,
                "canceled" => BuildState.Canceled,
                var other => throw DepotErrors.Invalid($"seed: build {id} has status \"{other}\"; expected running, succeeded, failed or canceled"),
            };
            if (!data.Builds.Add(SeededBuild(id, project, now) with
                {
                    State = status,
                    FinishedAt = status == BuildState.Running ? null : now,
                    Error = status == BuildState.Failed ? build.Error ?? "" : null,
                }))
            {
                throw DepotErrors.Invalid($"seed: build {id} appears twice");
            }
        }

        var issued = new List<IssuedToken>();
        foreach (var token in seed.Tokens)
        {
            try
            {
                issued.Add(state.IssueTokenIn(data, new TokenRequest(
                    TokenTypes.Parse(token.Type),
                    token.User,
                    token.Organization,
                    token.Project,
                    token.Build,
                    token.Secret,
                    token.Id,
                    token.Description ?? "seeded",
                    token.TtlSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : null)));
            }
            catch (DepotException e)
            {
                throw DepotErrors.Invalid($"seed: token {token.Id ?? token.Type}: {e.Message}");
            }

            // A build token stands for a build in progress: seeded without one, the build is there to continue.
            if (issued[^1].Record is { Type: TokenType.Build, BuildId: { } buildId, ProjectId: { } projectId } record)
            {
                var existing = data.Builds.Find(buildId);
                var build = existing ?? SeededBuild(buildId, data.Projects.Find(projectId)!, now);
                if (build.ProjectId != projectId)
                {
                    throw DepotErrors.Invalid($"seed: token {record.Id} is for project {projectId}, but build {buildId} belongs to {build.ProjectId}");
                }

                _ = existing is null ? data.Builds.Add(build with { TokenId = record.Id }) : data.Builds.Update(build with { TokenId = record.Id });
            }
        }

        return issued;
    }
}
