using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Ci.V3Beta2;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Services.Ci;

/// <summary><c>depot.ci.v3beta2.VariableService</c> (<c>depot ci vars</c>): like secrets, but values are readable.</summary>
internal sealed class VariableServiceHandler(CiSettings settings) : IConnectService
{
    private static readonly ServiceDescriptor Service = VariablesReflection.Descriptor.FindTypeByName<ServiceDescriptor>("VariableService");

    private static MethodDescriptor Method(string name) => Service.FindMethodByName(name);

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<ListVariablesRequest, ListVariablesResponse>(Method("ListVariables"), ListVariables)
        .Unary<GetVariableRequest, GetVariableResponse>(Method("GetVariable"), GetVariable)
        .Unary<GetVariableVariantRequest, GetVariableVariantResponse>(Method("GetVariableVariant"), GetVariableVariant)
        .Unary<CreateVariableVariantRequest, CreateVariableVariantResponse>(Method("CreateVariableVariant"), CreateVariableVariant)
        .Unary<SetVariableVariantRequest, SetVariableVariantResponse>(Method("SetVariableVariant"), SetVariableVariant)
        .Unary<UpdateVariableVariantValueRequest, UpdateVariableVariantValueResponse>(Method("UpdateVariableVariantValue"), UpdateValue)
        .Unary<UpdateVariableVariantMetadataRequest, UpdateVariableVariantMetadataResponse>(Method("UpdateVariableVariantMetadata"), UpdateMetadata)
        .Unary<DeleteVariableVariantRequest, DeleteVariableVariantResponse>(Method("DeleteVariableVariant"), DeleteVariableVariant)
        .Unary<DeleteVariableRequest, DeleteVariableResponse>(Method("DeleteVariable"), DeleteVariable);

    private static string Org(ConnectCallContext context) => context.Access().ScopedOrganization(context.DepotOrg()).Id;

    private Task<ListVariablesResponse> ListVariables(ListVariablesRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var groups = settings.Variables(org)
            .Where(v => request.Query.Length == 0 || v.VariableName.Contains(request.Query, StringComparison.OrdinalIgnoreCase))
            .Where(v => CiSettingsMapping.Matches(v.Attributes, request.Attributes))
            .GroupBy(v => v.VariableName);
        var (page, info) = CiSettingsMapping.Page(groups, request.Page);
        var response = new ListVariablesResponse { Page = info };
        response.Variables.Add(page.Select(g => ToVariable(org, g.Key, g.ToList())));
        return Task.FromResult(response);
    }

    private Task<GetVariableResponse> GetVariable(GetVariableRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var name = CiSettingsMapping.Lookup(request.Id, request.Name, id => NameOf(org, id), "variable");
        var variants = settings.Variables(org).Where(v => v.VariableName == name).ToList();
        return variants.Count == 0
            ? throw DepotErrors.NotFound("variable", name)
            : Task.FromResult(new GetVariableResponse { Variable = ToVariable(org, name, variants) });
    }

    private Task<GetVariableVariantResponse> GetVariableVariant(GetVariableVariantRequest request, ConnectCallContext context)
    {
        var variant = settings.Variables(Org(context)).FirstOrDefault(v => v.Id == request.Id) ?? throw DepotErrors.NotFound("variable variant", request.Id);
        return Task.FromResult(new GetVariableVariantResponse { Variant = ToVariant(variant) });
    }

    private Task<CreateVariableVariantResponse> CreateVariableVariant(CreateVariableVariantRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var (variant, createdVariable, createdVariant) = settings.SetVariable(org, request.VariableName, request.VariantName, request.Value,
            request.HasDescription ? request.Description : null, CiSettingsMapping.Attributes(request.Attributes), mustBeNew: true);
        return Task.FromResult(new CreateVariableVariantResponse
        {
            Variable = VariableOf(org, variant.VariableName), Variant = ToVariant(variant), CreatedVariable = createdVariable, CreatedVariant = createdVariant,
        });
    }

    private Task<SetVariableVariantResponse> SetVariableVariant(SetVariableVariantRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        var (variant, createdVariable, createdVariant) = settings.SetVariable(org, request.VariableName, request.VariantName, request.Value,
            request.HasDescription ? request.Description : null, CiSettingsMapping.Attributes(request.Attributes));
        return Task.FromResult(new SetVariableVariantResponse
        {
            Variable = VariableOf(org, variant.VariableName), Variant = ToVariant(variant), CreatedVariable = createdVariable, CreatedVariant = createdVariant,
        });
    }

    private Task<UpdateVariableVariantValueResponse> UpdateValue(UpdateVariableVariantValueRequest request, ConnectCallContext context) =>
        Task.FromResult(new UpdateVariableVariantValueResponse
        {
            Variant = ToVariant(settings.UpdateVariable(Org(context), request.VariantId, v => v with { Value = request.Value })),
        });

    private Task<UpdateVariableVariantMetadataResponse> UpdateMetadata(UpdateVariableVariantMetadataRequest request, ConnectCallContext context)
    {
        var variant = settings.UpdateVariable(Org(context), request.VariantId, v => v with
        {
            VariantName = request.Name.Length > 0 ? request.Name : v.VariantName,
            Description = request.Description.Length > 0 ? request.Description : v.Description,
            Attributes = request.Attributes.Count > 0 ? CiSettingsMapping.Attributes(request.Attributes) : v.Attributes,
        });
        return Task.FromResult(new UpdateVariableVariantMetadataResponse { Variant = ToVariant(variant) });
    }

    private Task<DeleteVariableVariantResponse> DeleteVariableVariant(DeleteVariableVariantRequest request, ConnectCallContext context) =>
        Task.FromResult(new DeleteVariableVariantResponse { DeletedVariable = settings.DeleteVariableVariant(Org(context), request.VariantId) });

    private Task<DeleteVariableResponse> DeleteVariable(DeleteVariableRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        settings.DeleteVariable(org, CiSettingsMapping.Lookup(request.Id, request.Name, id => NameOf(org, id), "variable"));
        return Task.FromResult(new DeleteVariableResponse());
    }

    private string NameOf(string org, string id) =>
        settings.Variables(org).FirstOrDefault(v => CiSettings.VariableId(org, v.VariableName) == id)?.VariableName ?? throw DepotErrors.NotFound("variable", id);

    private Variable VariableOf(string org, string name) => ToVariable(org, name, settings.Variables(org).Where(v => v.VariableName == name).ToList());

    private static Variable ToVariable(string org, string name, IReadOnlyList<CiVariableVariant> variants)
    {
        var variable = new Variable
        {
            Id = CiSettings.VariableId(org, name), Name = name, VariantCount = (uint)variants.Count,
            LastModified = CiSettingsMapping.Modified(variants.Select(v => v.UpdatedAt)),
        };
        variable.Variants.Add(variants.Select(ToVariant));
        return variable;
    }

    private static VariableVariant ToVariant(CiVariableVariant v)
    {
        var variant = new VariableVariant
        {
            Id = v.Id, VariableId = CiSettings.VariableId(v.OrganizationId, v.VariableName), Name = v.VariantName, Value = v.Value,
            LastModified = Timestamp.FromDateTimeOffset(v.UpdatedAt),
        };
        if (v.Description is not null)
        {
            variant.Description = v.Description;
        }

        variant.Attributes.Add(CiSettingsMapping.ToProto(v.Attributes));
        return variant;
    }
}
