namespace Depot.Emulator.Domain.Seeding;

/// <summary>The seed file schema (YAML or JSON, camelCase keys).</summary>
public sealed class SeedDocument
{
    public List<SeedOrganization> Organizations { get; set; } = [];

    public List<SeedUser> Users { get; set; } = [];

    public List<SeedProject> Projects { get; set; } = [];

    public List<SeedToken> Tokens { get; set; } = [];

    public List<SeedTrustPolicy> TrustPolicies { get; set; } = [];

    public List<SeedBuild> Builds { get; set; } = [];

    public SeedCi Ci { get; set; } = new();
}

/// <summary>Depot CI: where repositories live on this machine, secrets, variables and runs to start with.</summary>
public sealed class SeedCi
{
    public List<SeedCiRepository> Repositories { get; set; } = [];

    public List<SeedCiSetting> Secrets { get; set; } = [];

    public List<SeedCiSetting> Variables { get; set; } = [];

    public List<SeedCiRun> Runs { get; set; } = [];
}

public sealed class SeedCiRepository
{
    /// <summary><c>owner/name</c>.</summary>
    public string? Repo { get; set; }

    /// <summary>A directory on the emulator's machine; dispatched workflows are read from its <c>.depot/workflows</c>.</summary>
    public string? Path { get; set; }
}

public sealed class SeedCiSetting
{
    public string? Organization { get; set; }

    public string? Name { get; set; }

    public string? Value { get; set; }

    /// <summary>Narrows the value to one repository.</summary>
    public string? Repo { get; set; }

    public string? Description { get; set; }
}

/// <summary>A run started when the seed loads; its steps' <c>env</c> scripts how it goes (<c>DEPOT_EMULATOR_FAIL</c>, <c>DEPOT_EMULATOR_DURATION</c>).</summary>
public sealed class SeedCiRun
{
    public string? Organization { get; set; }

    public string? Repo { get; set; }

    public string? Sha { get; set; }

    public string? Ref { get; set; }

    public string? Workflow { get; set; }

    /// <summary>The workflow YAML; when omitted it is read from the repository's path.</summary>
    public string? Content { get; set; }
}

public sealed class SeedOrganization
{
    public string? Id { get; set; }

    public string? Name { get; set; }
}

public sealed class SeedUser
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? Email { get; set; }

    public List<string> Organizations { get; set; } = [];
}

public sealed class SeedProject
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? Organization { get; set; }

    public string? Region { get; set; }

    public int? CacheKeepGb { get; set; }

    public int? CacheKeepDays { get; set; }
}

public sealed class SeedBuild
{
    public string? Id { get; set; }

    public string? Project { get; set; }

    /// <summary><c>running</c> (the default), <c>succeeded</c>, <c>failed</c> or <c>canceled</c>.</summary>
    public string? Status { get; set; }

    public string? Error { get; set; }
}

public sealed class SeedToken
{
    public string? Id { get; set; }

    public string? Type { get; set; }

    public string? User { get; set; }

    public string? Organization { get; set; }

    public string? Project { get; set; }

    public string? Build { get; set; }

    public string? Secret { get; set; }

    public string? Description { get; set; }

    public int? TtlSeconds { get; set; }
}

public sealed class SeedTrustPolicy
{
    public string? Id { get; set; }

    public string? Project { get; set; }

    public SeedGitHub? Github { get; set; }

    public SeedCircleCi? Circleci { get; set; }

    public SeedBuildkite? Buildkite { get; set; }

    public SeedGitLab? Gitlab { get; set; }

    public SeedRwx? Rwx { get; set; }
}

public sealed class SeedGitHub
{
    public string? RepositoryOwner { get; set; }

    public string? Repository { get; set; }
}

public sealed class SeedCircleCi
{
    public string? OrganizationUuid { get; set; }

    public string? ProjectUuid { get; set; }
}

public sealed class SeedBuildkite
{
    public string? OrganizationSlug { get; set; }

    public string? PipelineSlug { get; set; }
}

public sealed class SeedGitLab
{
    public string? ProjectPath { get; set; }

    public string? Ref { get; set; }
}

public sealed class SeedRwx
{
    public string? VaultSubject { get; set; }
}
