using Depot.Core.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using DomainCachePolicy = Depot.Emulator.Domain.State.CachePolicy;
using DomainTrustPolicy = Depot.Emulator.Domain.State.TrustPolicy;

namespace Depot.Emulator.Services;

/// <summary><c>depot.core.v1.ProjectService</c>: projects, their trust policies and their project tokens.</summary>
internal sealed class ProjectServiceHandler(DepotState state) : IConnectService
{
    private static readonly ServiceDescriptor Service = ProjectReflection.Descriptor.FindTypeByName<ServiceDescriptor>("ProjectService");

    private static readonly string[] Regions = ["us-east-1", "eu-central-1"];

    private static MethodDescriptor Method(string name) => Service.FindMethodByName(name);

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<ListProjectsRequest, ListProjectsResponse>(Method("ListProjects"), ListProjects)
        .Unary<GetProjectRequest, GetProjectResponse>(Method("GetProject"), GetProject)
        .Unary<CreateProjectRequest, CreateProjectResponse>(Method("CreateProject"), CreateProject)
        .Unary<UpdateProjectRequest, UpdateProjectResponse>(Method("UpdateProject"), UpdateProject)
        .Unary<DeleteProjectRequest, DeleteProjectResponse>(Method("DeleteProject"), DeleteProject)
        .Unary<ResetProjectRequest, ResetProjectResponse>(Method("ResetProject"), ResetProject)
        .Unary<ListTrustPoliciesRequest, ListTrustPoliciesResponse>(Method("ListTrustPolicies"), ListTrustPolicies)
        .Unary<AddTrustPolicyRequest, AddTrustPolicyResponse>(Method("AddTrustPolicy"), AddTrustPolicy)
        .Unary<RemoveTrustPolicyRequest, RemoveTrustPolicyResponse>(Method("RemoveTrustPolicy"), RemoveTrustPolicy)
        .Unary<ListTokensRequest, ListTokensResponse>(Method("ListTokens"), ListTokens)
        .Unary<CreateTokenRequest, CreateTokenResponse>(Method("CreateToken"), CreateToken)
        .Unary<UpdateTokenRequest, UpdateTokenResponse>(Method("UpdateToken"), UpdateToken)
        .Unary<DeleteTokenRequest, DeleteTokenResponse>(Method("DeleteToken"), DeleteToken);

    private static Task<ListProjectsResponse> ListProjects(ListProjectsRequest request, ConnectCallContext context)
    {
        IEnumerable<Domain.State.Project> projects = context.Access().VisibleProjects(context.DepotOrg());
        if (request.HasRegionId && request.RegionId.Length > 0)
        {
            projects = projects.Where(p => p.RegionId == request.RegionId);
        }

        var page = Paging.Page(projects.ToList(), request.HasPageSize ? request.PageSize : 0, request.HasPageToken ? request.PageToken : null);
        var response = new ListProjectsResponse();
        response.Projects.Add(page.Items.Select(p => p.ToProto()));
        if (page.NextToken is not null)
        {
            response.NextPageToken = page.NextToken;
        }

        return Task.FromResult(response);
    }

    private static Task<GetProjectResponse> GetProject(GetProjectRequest request, ConnectCallContext context) =>
        Task.FromResult(new GetProjectResponse { Project = context.Access().RequireProject(request.ProjectId).ToProto() });

    private Task<CreateProjectResponse> CreateProject(CreateProjectRequest request, ConnectCallContext context)
    {
        var organization = context.Access().TargetOrganization(request.HasOrganizationId ? request.OrganizationId : null);
        var project = state.CreateProject(
            request.Name,
            organization.Id,
            Region(request.RegionId.Length > 0 ? request.RegionId : Regions[0]),
            request.CachePolicy.ToDomain(DomainCachePolicy.Default),
            request.HasHardware ? ProtoMapping.HardwareName(request.Hardware) : ProtoMapping.HardwareName(Hardware.Unspecified));
        return Task.FromResult(new CreateProjectResponse { Project = project.ToProto() });
    }

    private Task<UpdateProjectResponse> UpdateProject(UpdateProjectRequest request, ConnectCallContext context)
    {
        var current = context.Access().RequireProject(request.ProjectId);
        var region = request.HasRegionId ? Region(request.RegionId) : current.RegionId;
        var cache = request.CachePolicy.ToDomain(current.CachePolicy);
        var hardware = request.HasHardware ? ProtoMapping.HardwareName(request.Hardware) : current.Hardware;
        var updated = state.UpdateProject(current.Id, p => p with
        {
            Name = request.HasName ? request.Name.Trim() : p.Name,
            RegionId = region,
            CachePolicy = cache,
            Hardware = hardware,
        });
        return Task.FromResult(new UpdateProjectResponse { Project = updated.ToProto() });
    }

    private Task<DeleteProjectResponse> DeleteProject(DeleteProjectRequest request, ConnectCallContext context)
    {
        state.DeleteProject(context.Access().RequireProject(request.ProjectId).Id);
        return Task.FromResult(new DeleteProjectResponse());
    }

    private Task<ResetProjectResponse> ResetProject(ResetProjectRequest request, ConnectCallContext context)
    {
        state.ResetProjectCache(context.Access().RequireProject(request.ProjectId).Id);
        return Task.FromResult(new ResetProjectResponse());
    }

    private Task<ListTrustPoliciesResponse> ListTrustPolicies(ListTrustPoliciesRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProject(request.ProjectId);
        var response = new ListTrustPoliciesResponse();
        // GitLab and RWX policies exist only as emulator extensions; the public schema cannot carry them.
        response.TrustPolicies.Add(state.TrustPolicies(project.Id)
            .Where(p => p.Rule is GitHubTrust or CircleCiTrust or BuildkiteTrust)
            .Select(p => p.ToProto()));
        return Task.FromResult(response);
    }

    private Task<AddTrustPolicyResponse> AddTrustPolicy(AddTrustPolicyRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProject(request.ProjectId);
        TrustPolicyRule rule = request.ProviderCase switch
        {
            AddTrustPolicyRequest.ProviderOneofCase.Github => new GitHubTrust(request.Github.RepositoryOwner, request.Github.Repository),
            AddTrustPolicyRequest.ProviderOneofCase.Circleci => new CircleCiTrust(request.Circleci.OrganizationUuid, request.Circleci.ProjectUuid),
            AddTrustPolicyRequest.ProviderOneofCase.Buildkite => new BuildkiteTrust(request.Buildkite.OrganizationSlug, request.Buildkite.PipelineSlug),
            _ => throw DepotErrors.Invalid("a trust policy needs one provider: github, circleci or buildkite"),
        };
        DomainTrustPolicy policy = state.AddTrustPolicy(project.Id, rule);
        return Task.FromResult(new AddTrustPolicyResponse { TrustPolicy = policy.ToProto() });
    }

    private Task<RemoveTrustPolicyResponse> RemoveTrustPolicy(RemoveTrustPolicyRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProject(request.ProjectId);
        if (string.IsNullOrEmpty(request.TrustPolicyId))
        {
            throw DepotErrors.Required("trust_policy_id");
        }

        state.RemoveTrustPolicy(project.Id, request.TrustPolicyId);
        return Task.FromResult(new RemoveTrustPolicyResponse());
    }

    private Task<ListTokensResponse> ListTokens(ListTokensRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProject(request.ProjectId);
        var response = new ListTokensResponse();
        response.Tokens.Add(state.ProjectTokens(project.Id)
            .Select(t => new ListTokensResponse.Types.Token { TokenId = t.Id, Description = t.Description }));
        return Task.FromResult(response);
    }

    private Task<CreateTokenResponse> CreateToken(CreateTokenRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProject(request.ProjectId);
        var issued = state.IssueToken(new TokenRequest(TokenType.Project, ProjectId: project.Id, Description: request.Description));
        return Task.FromResult(new CreateTokenResponse { TokenId = issued.Record.Id, Secret = issued.Secret });
    }

    private Task<UpdateTokenResponse> UpdateToken(UpdateTokenRequest request, ConnectCallContext context)
    {
        RequireProjectToken(request.TokenId, context);
        state.UpdateTokenDescription(request.TokenId, request.Description);
        return Task.FromResult(new UpdateTokenResponse());
    }

    private Task<DeleteTokenResponse> DeleteToken(DeleteTokenRequest request, ConnectCallContext context)
    {
        RequireProjectToken(request.TokenId, context);
        state.DeleteToken(request.TokenId);
        return Task.FromResult(new DeleteTokenResponse());
    }

    /// <summary>A project token the caller's scope reaches; other tokens are never visible here.</summary>
    private void RequireProjectToken(string tokenId, ConnectCallContext context)
    {
        if (string.IsNullOrEmpty(tokenId))
        {
            throw DepotErrors.Required("token_id");
        }

        var token = state.FindToken(tokenId);
        if (token is not { Type: TokenType.Project })
        {
            throw DepotErrors.NotFound("token", tokenId);
        }

        context.Access().RequireProject(token.ProjectId);
    }

    private static string Region(string region) =>
        Regions.Contains(region) ? region
        : throw DepotErrors.Invalid($"unknown region \"{region}\": expected one of {string.Join(", ", Regions)}");
}
