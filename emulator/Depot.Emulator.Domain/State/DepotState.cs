using System.Collections.Concurrent;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.Seeding;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Domain.State;

/// <summary>
/// Depot's rules over the stores that keep its records. One lock orders the changes; every mutation validates first
/// and then changes, inside one store transaction, so a rejected request changes nothing.
/// </summary>
public sealed partial class DepotState
{
    public static readonly TimeSpan PullTokenLifetime = TimeSpan.FromHours(1);

    /// <summary>An expired pull token is still told apart from an unknown one for this long, then forgotten.</summary>
    public static readonly TimeSpan ExpiredPullTokenMemory = TimeSpan.FromHours(1);

    private readonly object _lock = new();
    private readonly TimeProvider _clock;
    private readonly IdGenerator _ids;
    private readonly StateStores _stores;
    // Steps and logs of the builds since start; the build records themselves are in the build store.
    private readonly ConcurrentDictionary<string, Builds.BuildProgress> _progress = new(StringComparer.Ordinal);
    private SeedDocument _baseline;

    /// <summary>Opens the state over <paramref name="stores"/>: seeded from <paramref name="baseline"/> when they hold no seed yet, as they were otherwise.</summary>
    public DepotState(TimeProvider clock, IdGenerator ids, SeedDocument baseline, StateStores? stores = null)
    {
        _clock = clock;
        _ids = ids;
        _stores = stores ?? StateStores.InMemory();
        if (SeedRecord.Recorded(_stores.Settings) is { } recorded)
        {
            _baseline = recorded;
            SeededTokens = SeedRecord.KnownSecrets(recorded, _stores.Tokens);
        }
        else
        {
            _baseline = baseline;
            Reset();
        }
    }

    public TimeProvider Clock => _clock;

    public IdGenerator Ids => _ids;

    /// <summary>Tokens the current seed issued, secrets included, for the start-up banner.</summary>
    public IReadOnlyList<IssuedToken> SeededTokens { get; private set; } = [];

    /// <summary>The seed <see cref="Reset"/> returns to.</summary>
    public SeedDocument Seed => _baseline;

    public void Reset() => Load(_baseline);

    /// <summary>Replaces all state with <paramref name="seed"/>, which becomes what <see cref="Reset"/> returns to.</summary>
    public void Load(SeedDocument seed)
    {
        // Applied to scratch stores first: an invalid seed throws before anything is replaced.
        var scratch = StateStores.InMemory();
        var issued = SeedApplier.Apply(seed, scratch, this);
        lock (_lock)
        {
            _stores.Transactions.Run(() =>
            {
                _stores.ClearRecords();
                _stores.CopyRecordsFrom(scratch);
                SeedRecord.Record(_stores.Settings, seed);
                return true;
            });
            _progress.Clear();
            _baseline = seed;
            SeededTokens = issued;
        }
    }

    public IReadOnlyList<Organization> Organizations() => Read(s => s.Organizations.All());

    public Organization? FindOrganization(string id) => Read(s => s.Organizations.Find(id));

    public IReadOnlyList<User> Users() => Read(s => s.Organizations.Users());

    public User? FindUser(string id) => Read(s => s.Organizations.FindUser(id));

    public IReadOnlyList<Project> Projects() => Read(s => s.Projects.All());

    public Project? FindProject(string id) => Read(s => s.Projects.Find(id));

    public Project CreateProject(string name, string organizationId, string regionId, CachePolicy cachePolicy, string hardware) =>
        Write(s =>
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw DepotErrors.Required("name");
            }

            if (s.Organizations.Find(organizationId) is null)
            {
                throw DepotErrors.NotFound("organization", organizationId);
            }

            Project project;
            do
            {
                project = new Project(_ids.ProjectId(), name.Trim(), organizationId, regionId, _clock.GetUtcNow(), cachePolicy, hardware);
            }
            while (!s.Projects.Add(project));

            return project;
        });

    public Project UpdateProject(string id, Func<Project, Project> change) =>
        Write(s =>
        {
            var current = s.Projects.Find(id) ?? throw DepotErrors.NotFound("project", id);
            var updated = change(current) with { Id = current.Id, OrganizationId = current.OrganizationId };
            if (string.IsNullOrWhiteSpace(updated.Name))
            {
                throw DepotErrors.Invalid("name must not be empty");
            }

            s.Projects.Update(updated);
            return updated;
        });

    public void DeleteProject(string id) =>
        Write(s =>
        {
            if (!s.Projects.Delete(id))
            {
                throw DepotErrors.NotFound("project", id);
            }

            s.TrustPolicies.DeleteProject(id);
            s.Tokens.DeleteProject(id);
            foreach (var build in s.Builds.All().Where(b => b.ProjectId == id))
            {
                _progress.TryRemove(build.Id, out _);
            }

            s.Builds.DeleteProject(id);
            return true;
        });

    public Project ResetProjectCache(string id) =>
        UpdateProject(id, p => p with { CacheResets = p.CacheResets + 1 });

    public IReadOnlyList<TrustPolicy> TrustPolicies(string projectId) => Read(s => s.TrustPolicies.ForProject(projectId));

    public IReadOnlyList<TrustPolicy> AllTrustPolicies() => Read(s => s.TrustPolicies.All());

    public TrustPolicy AddTrustPolicy(string projectId, TrustPolicyRule rule) =>
        Write(s =>
        {
            if (s.Projects.Find(projectId) is null)
            {
                throw DepotErrors.NotFound("project", projectId);
            }

            var policy = new TrustPolicy(_ids.Id("tp_"), projectId, TrustRules.Validate(rule));
            if (!s.TrustPolicies.Add(policy))
            {
                throw DepotErrors.AlreadyExists($"trust policy {policy.Id} already exists");
            }

            return policy;
        });

    public void RemoveTrustPolicy(string projectId, string policyId) =>
        Write(s => s.TrustPolicies.Remove(projectId, policyId) ? true : throw DepotErrors.NotFound("trust policy", policyId));

    /// <summary>Issues a token; the secret is returned once and only its hash is kept.</summary>
    public IssuedToken IssueToken(TokenRequest request) =>
        Write(s =>
        {
            if (request.Type == TokenType.Pull)
            {
                s.Tokens.EvictPullTokens(_clock.GetUtcNow() - ExpiredPullTokenMemory);
            }

            return IssueTokenIn(s, request);
        });

    internal IssuedToken IssueTokenIn(StateStores s, TokenRequest request)
    {
        var bound = Bind(s, request);
        var secret = request.Secret ?? _ids.Secret(SecretPrefix(request.Type));
        var hash = SecretHash.Of(secret);
        if (s.Tokens.FindByHash(hash) is not null)
        {
            throw DepotErrors.AlreadyExists("a token with that secret already exists");
        }

        var id = request.Id ?? _ids.Id("tok_");
        if (s.Tokens.Find(id) is not null)
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
        s.Tokens.Add(record);
        return new IssuedToken(record, secret);
    }

    /// <summary>Looks a presented secret up by its hash.</summary>
    public TokenRecord? FindTokenBySecret(string secret)
    {
        var record = Read(s => s.Tokens.FindByHash(SecretHash.Of(secret)));
        return record is not null && SecretHash.Matches(record.SecretHash, secret) ? record : null;
    }

    public TokenRecord? FindToken(string id) => Read(s => s.Tokens.Find(id));

    /// <summary>The project tokens of a project, as ListTokens shows them; pull tokens are never listed.</summary>
    public IReadOnlyList<TokenRecord> ProjectTokens(string projectId) => Read(s => s.Tokens.ForProject(projectId, TokenType.Project));

    public void UpdateTokenDescription(string id, string description) =>
        Write(s => s.Tokens.Update(FindProjectToken(s, id) with { Description = description }));

    public void DeleteToken(string id) =>
        Write(s => s.Tokens.Delete(FindProjectToken(s, id).Id));

    public User? UserOf(TokenRecord token) => token.UserId is null ? null : FindUser(token.UserId);

    private static TokenRecord FindProjectToken(StateStores s, string id) =>
        s.Tokens.Find(id) is { Type: TokenType.Project } token ? token : throw DepotErrors.NotFound("token", id);

    private static string SecretPrefix(TokenType type) => type switch
    {
        TokenType.TrustRelationship => "depot_trust_",
        TokenType.Organization => "depot_org_",
        _ => $"depot_{type.Name()}_",
    };

    /// <summary>Checks what a token of the requested type must be bound to, and that it exists.</summary>
    private TokenRecord Bind(StateStores s, TokenRequest request)
    {
        var empty = new TokenRecord("", request.Type, [], "", default, null);
        switch (request.Type)
        {
            case TokenType.User:
                var user = Need(request.UserId, "user");
                _ = s.Organizations.FindUser(user) ?? throw DepotErrors.NotFound("user", user);
                return empty with { UserId = user };
            case TokenType.Organization:
                var org = Need(request.OrganizationId, "organization");
                _ = s.Organizations.Find(org) ?? throw DepotErrors.NotFound("organization", org);
                return empty with { OrganizationId = org };
            default:
                var projectId = Need(request.ProjectId, "project");
                var project = s.Projects.Find(projectId) ?? throw DepotErrors.NotFound("project", projectId);
                var buildId = request.Type == TokenType.Build ? request.BuildId ?? _ids.Id("build_") : request.BuildId;
                return empty with { OrganizationId = project.OrganizationId, ProjectId = project.Id, BuildId = buildId };
        }
    }

    private static string Need(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw DepotErrors.Invalid($"{field} is required for this token type") : value;

    private T Read<T>(Func<StateStores, T> read)
    {
        lock (_lock)
        {
            return read(_stores);
        }
    }

    private T Write<T>(Func<StateStores, T> write)
    {
        lock (_lock)
        {
            return _stores.Transactions.Run(() => write(_stores));
        }
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
