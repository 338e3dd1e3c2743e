using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Seeding;

namespace Depot.Emulator.Domain.State;

/// <summary>
/// Everything the emulator knows, in memory. One lock guards it; every mutation validates first and then
/// changes, so a rejected request changes nothing.
/// </summary>
public sealed partial class DepotState
{
    public static readonly TimeSpan PullTokenLifetime = TimeSpan.FromHours(1);

    private readonly object _lock = new();
    private readonly TimeProvider _clock;
    private readonly IdGenerator _ids;
    private SeedDocument _baseline;
    private Data _data = new();

    public DepotState(TimeProvider clock, IdGenerator ids, SeedDocument baseline)
    {
        _clock = clock;
        _ids = ids;
        _baseline = baseline;
        Reset();
    }

    public TimeProvider Clock => _clock;

    public IdGenerator Ids => _ids;

    /// <summary>Tokens the current seed issued, secrets included, for the start-up banner.</summary>
    public IReadOnlyList<IssuedToken> SeededTokens { get; private set; } = [];

    /// <summary>Raised after <see cref="Load"/> replaced all state (a reset or a new seed), for state kept elsewhere.</summary>
    public event Action? Reloaded;

    public void Reset() => Load(_baseline);

    /// <summary>Replaces all state with <paramref name="seed"/>, which becomes what <see cref="Reset"/> returns to.</summary>
    public void Load(SeedDocument seed)
    {
        var data = new Data();
        var issued = SeedApplier.Apply(seed, data, this);
        lock (_lock)
        {
            _data = data;
            _baseline = seed;
            SeededTokens = issued;
        }

        Reloaded?.Invoke();
    }

    public IReadOnlyList<Organization> Organizations() => Read(d => d.Organizations.Values.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id).ToList());

    public Organization? FindOrganization(string id) => Read(d => d.Organizations.GetValueOrDefault(id));

    public IReadOnlyList<User> Users() => Read(d => d.Users.Values.OrderBy(u => u.Id).ToList());

    public User? FindUser(string id) => Read(d => d.Users.GetValueOrDefault(id));

    public IReadOnlyList<Project> Projects() => Read(d => d.Projects.Values.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToList());

    public Project? FindProject(string id) => Read(d => d.Projects.GetValueOrDefault(id));

    public Project CreateProject(string name, string organizationId, string regionId, CachePolicy cachePolicy, string hardware) =>
        Write(d =>
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw DepotErrors.Required("name");
            }

            if (!d.Organizations.ContainsKey(organizationId))
            {
                throw DepotErrors.NotFound("organization", organizationId);
            }

            var project = new Project(NewProjectId(d), name.Trim(), organizationId, regionId, _clock.GetUtcNow(), cachePolicy, hardware);
            d.Projects[project.Id] = project;
            return project;
        });

    public Project UpdateProject(string id, Func<Project, Project> change) =>
        Write(d =>
        {
            var current = d.Projects.GetValueOrDefault(id) ?? throw DepotErrors.NotFound("project", id);
            var updated = change(current) with { Id = current.Id, OrganizationId = current.OrganizationId };
            if (string.IsNullOrWhiteSpace(updated.Name))
            {
                throw DepotErrors.Invalid("name must not be empty");
            }

            d.Projects[id] = updated;
            return updated;
        });

    public void DeleteProject(string id) =>
        Write(d =>
        {
            if (!d.Projects.Remove(id))
            {
                throw DepotErrors.NotFound("project", id);
            }

            d.TrustPolicies.RemoveAll(p => p.ProjectId == id);
            foreach (var token in d.Tokens.Values.Where(t => t.ProjectId == id).ToList())
            {
                d.Tokens.Remove(SecretHash.Key(token.SecretHash));
            }

            foreach (var build in d.Builds.Values.Where(b => b.ProjectId == id).ToList())
            {
                d.Builds.Remove(build.Id);
                d.Progress.Remove(build.Id);
                d.Dockerfiles.Remove(build.Id);
            }

            return true;
        });

    public Project ResetProjectCache(string id) =>
        UpdateProject(id, p => p with { CacheResets = p.CacheResets + 1 });

    public IReadOnlyList<TrustPolicy> TrustPolicies(string projectId) =>
        Read(d => d.TrustPolicies.Where(p => p.ProjectId == projectId).ToList());

    public IReadOnlyList<TrustPolicy> AllTrustPolicies() => Read(d => d.TrustPolicies.ToList());

    public TrustPolicy AddTrustPolicy(string projectId, TrustPolicyRule rule) =>
        Write(d =>
        {
            if (!d.Projects.ContainsKey(projectId))
            {
                throw DepotErrors.NotFound("project", projectId);
            }

            var policy = new TrustPolicy(_ids.Id("tp_"), projectId, TrustRules.Validate(rule));
            d.TrustPolicies.Add(policy);
            return policy;
        });

    public void RemoveTrustPolicy(string projectId, string policyId) =>
        Write(d =>
        {
            if (d.TrustPolicies.RemoveAll(p => p.ProjectId == projectId && p.Id == policyId) == 0)
            {
                throw DepotErrors.NotFound("trust policy", policyId);
            }

            return true;
        });

    /// <summary>Issues a token; the secret is returned once and only its hash is kept.</summary>
    public IssuedToken IssueToken(TokenRequest request) => Write(d => IssueTokenLocked(d, request));

    internal IssuedToken IssueTokenLocked(Data d, TokenRequest request)
    {
        var bound = Bind(d, request);
        var secret = request.Secret ?? _ids.Secret(SecretPrefix(request.Type));
        var hash = SecretHash.Of(secret);
        var key = SecretHash.Key(hash);
        if (d.Tokens.ContainsKey(key))
        {
            throw DepotErrors.AlreadyExists("a token with that secret already exists");
        }

        var id = request.Id ?? _ids.Id("tok_");
        if (d.Tokens.Values.Any(t => t.Id == id))
        {
            throw DepotErrors.AlreadyExists($"token {id} already exists");
        }

        var now = _clock.GetUtcNow();
        var ttl = request.TimeToLive ?? (request.Type == TokenType.Pull ? PullTokenLifetime : null);
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            throw DepotErrors.Invalid("ttlSeconds must be positive");
        }

        var record = bound with
        {
            Id = id,
            SecretHash = hash,
            Description = request.Description ?? "",
            CreatedAt = now,
            ExpiresAt = ttl is null ? null : now + ttl,
        };
        d.Tokens[key] = record;
        return new IssuedToken(record, secret);
    }

    /// <summary>Looks a presented secret up by its hash.</summary>
    public TokenRecord? FindTokenBySecret(string secret)
    {
        var hash = SecretHash.Of(secret);
        var record = Read(d => d.Tokens.GetValueOrDefault(SecretHash.Key(hash)));
        return record is not null && SecretHash.Matches(record.SecretHash, secret) ? record : null;
    }

    public TokenRecord? FindToken(string id) => Read(d => d.Tokens.Values.FirstOrDefault(t => t.Id == id));

    /// <summary>The project tokens of a project, as ListTokens shows them; pull tokens are never listed.</summary>
    public IReadOnlyList<TokenRecord> ProjectTokens(string projectId) =>
        Read(d => d.Tokens.Values.Where(t => t.Type == TokenType.Project && t.ProjectId == projectId)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToList());

    public void UpdateTokenDescription(string id, string description) =>
        Write(d =>
        {
            var (key, token) = FindProjectToken(d, id);
            d.Tokens[key] = token with { Description = description };
            return true;
        });

    public void DeleteToken(string id) =>
        Write(d =>
        {
            var (key, _) = FindProjectToken(d, id);
            d.Tokens.Remove(key);
            return true;
        });

    public User? UserOf(TokenRecord token) => token.UserId is null ? null : FindUser(token.UserId);

    private static (string Key, TokenRecord Token) FindProjectToken(Data d, string id)
    {
        foreach (var (key, token) in d.Tokens)
        {
            if (token.Id == id && token.Type == TokenType.Project)
            {
                return (key, token);
            }
        }

        throw DepotErrors.NotFound("token", id);
    }

    private static string SecretPrefix(TokenType type) => type switch
    {
        TokenType.TrustRelationship => "depot_trust_",
        TokenType.Organization => "depot_org_",
        _ => $"depot_{type.Name()}_",
    };

    /// <summary>Checks what a token of the requested type must be bound to, and that it exists.</summary>
    private TokenRecord Bind(Data d, TokenRequest request)
    {
        var empty = new TokenRecord("", request.Type, [], "", default, null);
        switch (request.Type)
        {
            case TokenType.User:
                var user = Need(request.UserId, "user");
                _ = d.Users.GetValueOrDefault(user) ?? throw DepotErrors.NotFound("user", user);
                return empty with { UserId = user };
            case TokenType.Organization:
                var org = Need(request.OrganizationId, "organization");
                _ = d.Organizations.GetValueOrDefault(org) ?? throw DepotErrors.NotFound("organization", org);
                return empty with { OrganizationId = org };
            default:
                var projectId = Need(request.ProjectId, "project");
                var project = d.Projects.GetValueOrDefault(projectId) ?? throw DepotErrors.NotFound("project", projectId);
                var buildId = request.Type == TokenType.Build ? request.BuildId ?? _ids.Id("build_") : request.BuildId;
                return empty with { OrganizationId = project.OrganizationId, ProjectId = project.Id, BuildId = buildId };
        }
    }

    private static string Need(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw DepotErrors.Invalid($"{field} is required for this token type") : value;

    private string NewProjectId(Data d)
    {
        string id;
        do
        {
            id = _ids.ProjectId();
        }
        while (d.Projects.ContainsKey(id));

        return id;
    }

    private T Read<T>(Func<Data, T> read)
    {
        lock (_lock)
        {
            return read(_data);
        }
    }

    private T Write<T>(Func<Data, T> write)
    {
        lock (_lock)
        {
            return write(_data);
        }
    }

    internal sealed class Data
    {
        public Dictionary<string, Organization> Organizations { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, User> Users { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Project> Projects { get; } = new(StringComparer.Ordinal);

        public List<TrustPolicy> TrustPolicies { get; } = [];

        /// <summary>Keyed by the hex SHA-256 of the secret.</summary>
        public Dictionary<string, TokenRecord> Tokens { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Builds.Build> Builds { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Builds.BuildProgress> Progress { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<Builds.BuildDockerfile>> Dockerfiles { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Builds.BuildPush> Pushes { get; } = new(StringComparer.Ordinal);

        /// <summary>Build and platform pairs whose builder was asked for once and answered "pending".</summary>
        public HashSet<string> PendingBuilders { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>What to issue a token for. Omitted secrets and ids are generated.</summary>
public sealed record TokenRequest(
    TokenType Type,
    string? UserId = null,
    string? OrganizationId = null,
    string? ProjectId = null,
    string? BuildId = null,
    string? Secret = null,
    string? Id = null,
    string? Description = null,
    TimeSpan? TimeToLive = null);
