using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Ci.V3Beta2;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Services.Ci;

/// <summary><c>depot.ci.v3beta2.SecretService</c> (<c>depot ci secrets</c>): names, variants and attributes; never values.</summary>
internal sealed class SecretServiceHandler(CiSettings settings) : IConnectService
{
    private static readonly ServiceDescriptor Service = SecretsReflection.Descriptor.FindTypeByName<ServiceDescriptor>("SecretService");

    private static MethodDescriptor Method(string name) => Service.FindMethodByName(name);

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<ListSecretsRequest, ListSecretsResponse>(Method("ListSecrets"), ListSecrets)
        .Unary<ListSecretAttributesRequest, ListSecretAttributesResponse>(Method("ListSecretAttributes"), ListSecretAttributes)
        .Unary<GetSecretRequest, GetSecretResponse>(Method("GetSecret"), GetSecret)
        .Unary<GetSecretVariantRequest, GetSecretVariantResponse>(Method("GetSecretVariant"), GetSecretVariant)
        .Unary<CreateSecretVariantRequest, CreateSecretVariantResponse>(Method("CreateSecretVariant"), CreateSecretVariant)
        .Unary<SetSecretVariantRequest, SetSecretVariantResponse>(Method("SetSecretVariant"), SetSecretVariant)
        .Unary<UpdateSecretVariantMetadataRequest, UpdateSecretVariantMetadataResponse>(Method("UpdateSecretVariantMetadata"), UpdateMetadata)
        .Unary<UpdateSecretVariantValueRequest, UpdateSecretVariantValueResponse>(Method("UpdateSecretVariantValue"), UpdateValue)
        .Unary<DeleteSecretVariantRequest, DeleteSecretVariantResponse>(Method("DeleteSecretVariant"), DeleteSecretVariant)
        .Unary<DeleteSecretRequest, DeleteSecretResponse>(Method("DeleteSecret"), DeleteSecret);

    private static string Org(ConnectCallContext context) => context.Access().ScopedOrganization(context.DepotOrg()).Id;

    private Task<ListSecretsResponse> ListSecrets(ListSecretsRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var groups = settings.Secrets(org)
            .Where(v => request.Query.Length == 0 || v.SecretName.Contains(request.Query, StringComparison.OrdinalIgnoreCase))
            .Where(v => CiSettingsMapping.Matches(v.Attributes, request.Attributes))
            .GroupBy(v => v.SecretName);
        var (page, info) = CiSettingsMapping.Page(groups, request.Page);
        var response = new ListSecretsResponse { Page = info };
        response.Secrets.Add(page.Select(g => ToSecret(org, g.Key, g.ToList())));
        return Task.FromResult(response);
    }

    private Task<ListSecretAttributesResponse> ListSecretAttributes(ListSecretAttributesRequest request, ConnectCallContext context)
    {
        var response = new ListSecretAttributesResponse();
        response.Attributes.Add(settings.Secrets(Org(context)).SelectMany(v => v.Attributes).GroupBy(a => a)
            .OrderBy(g => g.Key.Key, StringComparer.Ordinal).ThenBy(g => g.Key.Value, StringComparer.Ordinal)
            .Select(g => new AttributeLinkCount { Attribute = new Depot.Ci.V3Beta2.Attribute { Key = g.Key.Key, Value = g.Key.Value }, LinkCount = (uint)g.Count() }));
        return Task.FromResult(response);
    }

    private Task<GetSecretResponse> GetSecret(GetSecretRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var name = CiSettingsMapping.Lookup(request.Id, request.Name, id => NameOf(org, id), "secret");
        var variants = settings.Secrets(org).Where(v => v.SecretName == name).ToList();
        return variants.Count == 0
            ? throw DepotErrors.NotFound("secret", name)
            : Task.FromResult(new GetSecretResponse { Secret = ToSecret(org, name, variants) });
    }

    private Task<GetSecretVariantResponse> GetSecretVariant(GetSecretVariantRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var variant = settings.Secrets(org).FirstOrDefault(v => v.Id == request.Id) ?? throw DepotErrors.NotFound("secret variant", request.Id);
        return Task.FromResult(new GetSecretVariantResponse { Variant = ToVariant(variant) });
    }

    private Task<CreateSecretVariantResponse> CreateSecretVariant(CreateSecretVariantRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var (variant, createdSecret, createdVariant) = settings.SetSecret(org, request.SecretName, request.VariantName, request.Value,
            request.HasDescription ? request.Description : null, CiSettingsMapping.Attributes(request.Attributes), mustBeNew: true);
        return Task.FromResult(new CreateSecretVariantResponse
        {
            Secret = SecretOf(org, variant.SecretName), Variant = ToVariant(variant), CreatedSecret = createdSecret, CreatedVariant = createdVariant,
        });
    }

    private Task<SetSecretVariantResponse> SetSecretVariant(SetSecretVariantRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var (variant, createdSecret, createdVariant) = settings.SetSecret(org, request.SecretName, request.VariantName, request.Value,
            request.HasDescription ? request.Description : null, CiSettingsMapping.Attributes(request.Attributes));
        return Task.FromResult(new SetSecretVariantResponse
        {
            Secret = SecretOf(org, variant.SecretName), Variant = ToVariant(variant), CreatedSecret = createdSecret, CreatedVariant = createdVariant,
        });
    }

    private Task<UpdateSecretVariantMetadataResponse> UpdateMetadata(UpdateSecretVariantMetadataRequest request, ConnectCallContext context)
    {
        var variant = settings.UpdateSecret(Org(context), request.VariantId, v => v with
        {
            VariantName = request.Name.Length > 0 ? request.Name : v.VariantName,
            Description = request.Description.Length > 0 ? request.Description : v.Description,
            Attributes = request.Attributes.Count > 0 ? CiSettingsMapping.Attributes(request.Attributes) : v.Attributes,
        });
        return Task.FromResult(new UpdateSecretVariantMetadataResponse { Variant = ToVariant(variant) });
    }

    private Task<UpdateSecretVariantValueResponse> UpdateValue(UpdateSecretVariantValueRequest request, ConnectCallContext context) =>
        Task.FromResult(new UpdateSecretVariantValueResponse { Variant = ToVariant(settings.SetSecretValue(Org(context), request.VariantId, request.Value)) });

    private Task<DeleteSecretVariantResponse> DeleteSecretVariant(DeleteSecretVariantRequest request, ConnectCallContext context) =>
        Task.FromResult(new DeleteSecretVariantResponse { DeletedSecret = settings.DeleteSecretVariant(Org(context), request.VariantId) });

    private Task<DeleteSecretResponse> DeleteSecret(DeleteSecretRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        settings.DeleteSecret(org, CiSettingsMapping.Lookup(request.Id, request.Name, id => NameOf(org, id), "secret"));
        return Task.FromResult(new DeleteSecretResponse());
    }

    private string NameOf(string org, string id) =>
        settings.Secrets(org).FirstOrDefault(v => CiSettings.SecretId(org, v.SecretName) == id)?.SecretName ?? throw DepotErrors.NotFound("secret", id);

    private Secret SecretOf(string org, string name) => ToSecret(org, name, settings.Secrets(org).Where(v => v.SecretName == name).ToList());

    private static Secret ToSecret(string org, string name, IReadOnlyList<CiSecretVariant> variants)
    {
        var secret = new Secret
        {
            Id = CiSettings.SecretId(org, name), Name = name, VariantCount = (uint)variants.Count, Resolution = VariantResolution.Resolved,
            LastModified = CiSettingsMapping.Modified(variants.Select(v => v.UpdatedAt)),
        };
        secret.Variants.Add(variants.Select(ToVariant));
        return secret;
    }

    private static SecretVariant ToVariant(CiSecretVariant v)
    {
        var variant = new SecretVariant
        {
            Id = v.Id, SecretId = CiSettings.SecretId(v.OrganizationId, v.SecretName), Name = v.VariantName,
            LastModified = Timestamp.FromDateTimeOffset(v.UpdatedAt), Resolution = VariantResolution.Resolved,
        };
        if (v.Description is not null)
        {
            variant.Description = v.Description;
        }

        variant.Attributes.Add(CiSettingsMapping.ToProto(v.Attributes));
        return variant;
    }
}
