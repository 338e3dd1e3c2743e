using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;

namespace Depot.Emulator.Domain.Ci;

/// <summary>
/// CI secrets and variables, each a name with variants (a value for some attributes, such as a repo). Secret values
/// are hashed on the way in and never come back out.
/// </summary>
public sealed partial class CiSettings(ICiSettingsStore store, TimeProvider clock, IdGenerator ids)
{
    public const int MaxNameLength = 256;
    public const int MaxValueBytes = 64 * 1024;
    public const int MaxVariantsPerOrganization = 1000;
    public const int MaxAttributes = 16;

    public static string SecretId(string organizationId, string name) => "sec_" + Hash(organizationId + "\n" + name);

    public static string VariableId(string organizationId, string name) => "var_" + Hash(organizationId + "\n" + name);

    public (CiSecretVariant Variant, bool CreatedSecret, bool CreatedVariant) SetSecret(string organizationId, string name, string variantName,
        string value, string? description, IReadOnlyList<KeyValuePair<string, string>> attributes, bool mustBeNew = false)
    {
        Check(name, variantName, value, attributes);
        var all = store.SecretVariants(organizationId);
        var existing = all.FirstOrDefault(v => v.SecretName == name && v.VariantName == variantName);
        if (existing is not null && mustBeNew)
        {
            throw DepotErrors.AlreadyExists($"secret {name} already has a variant {variantName}");
        }

        if (existing is null && all.Count >= MaxVariantsPerOrganization)
        {
            throw DepotErrors.Precondition($"organization {organizationId} has {all.Count} secret variants, the most the emulator keeps");
        }

        var variant = new CiSecretVariant(existing?.Id ?? ids.Id("secv_"), organizationId, name, variantName, description ?? existing?.Description,
            attributes.Count > 0 || existing is null ? attributes : existing.Attributes, SecretHash.Of(value), clock.GetUtcNow());
        store.PutSecretVariant(variant);
        return (variant, !all.Any(v => v.SecretName == name), existing is null);
    }

    public IReadOnlyList<CiSecretVariant> Secrets(string organizationId) => store.SecretVariants(organizationId);

    public CiSecretVariant UpdateSecret(string organizationId, string variantId, Func<CiSecretVariant, CiSecretVariant> change)
    {
        var variant = store.FindSecretVariant(organizationId, variantId) ?? throw DepotErrors.NotFound("secret variant", variantId);
        var updated = change(variant) with { UpdatedAt = clock.GetUtcNow() };
        Check(updated.SecretName, updated.VariantName, "", updated.Attributes);
        store.PutSecretVariant(updated);
        return updated;
    }

    public CiSecretVariant SetSecretValue(string organizationId, string variantId, string value)
    {
        CheckValue(value);
        return UpdateSecret(organizationId, variantId, v => v with { ValueHash = SecretHash.Of(value) });
    }

    /// <summary>Removes one variant; says whether that removed the secret's last one.</summary>
    public bool DeleteSecretVariant(string organizationId, string variantId)
    {
        var variant = store.FindSecretVariant(organizationId, variantId) ?? throw DepotErrors.NotFound("secret variant", variantId);
        store.DeleteSecretVariant(organizationId, variantId);
        return !store.SecretVariants(organizationId).Any(v => v.SecretName == variant.SecretName);
    }

    public void DeleteSecret(string organizationId, string name)
    {
        var variants = store.SecretVariants(organizationId).Where(v => v.SecretName == name).ToList();
        if (variants.Count == 0)
        {
            throw DepotErrors.NotFound("secret", name);
        }

        variants.ForEach(v => store.DeleteSecretVariant(organizationId, v.Id));
    }

    public (CiVariableVariant Variant, bool CreatedVariable, bool CreatedVariant) SetVariable(string organizationId, string name, string variantName,
        string value, string? description, IReadOnlyList<KeyValuePair<string, string>> attributes, bool mustBeNew = false)
    {
        Check(name, variantName, value, attributes);
        var all = store.VariableVariants(organizationId);
        var existing = all.FirstOrDefault(v => v.VariableName == name && v.VariantName == variantName);
        if (existing is not null && mustBeNew)
        {
            throw DepotErrors.AlreadyExists($"variable {name} already has a variant {variantName}");
        }

        if (existing is null && all.Count >= MaxVariantsPerOrganization)
        {
            throw DepotErrors.Precondition($"organization {organizationId} has {all.Count} variable variants, the most the emulator keeps");
        }

        var variant = new CiVariableVariant(existing?.Id ?? ids.Id("varv_"), organizationId, name, variantName, description ?? existing?.Description,
            attributes.Count > 0 || existing is null ? attributes : existing.Attributes, value, clock.GetUtcNow());
        store.PutVariableVariant(variant);
        return (variant, !all.Any(v => v.VariableName == name), existing is null);
    }

    public IReadOnlyList<CiVariableVariant> Variables(string organizationId) => store.VariableVariants(organizationId);

    public CiVariableVariant UpdateVariable(string organizationId, string variantId, Func<CiVariableVariant, CiVariableVariant> change)
    {
        var variant = store.FindVariableVariant(organizationId, variantId) ?? throw DepotErrors.NotFound("variable variant", variantId);
        var updated = change(variant) with { UpdatedAt = clock.GetUtcNow() };
        Check(updated.VariableName, updated.VariantName, updated.Value, updated.Attributes);
        store.PutVariableVariant(updated);
        return updated;
    }

    public bool DeleteVariableVariant(string organizationId, string variantId)
    {
        var variant = store.FindVariableVariant(organizationId, variantId) ?? throw DepotErrors.NotFound("variable variant", variantId);
        store.DeleteVariableVariant(organizationId, variantId);
        return !store.VariableVariants(organizationId).Any(v => v.VariableName == variant.VariableName);
    }

    public void DeleteVariable(string organizationId, string name)
    {
        var variants = store.VariableVariants(organizationId).Where(v => v.VariableName == name).ToList();
        if (variants.Count == 0)
        {
            throw DepotErrors.NotFound("variable", name);
        }

        variants.ForEach(v => store.DeleteVariableVariant(organizationId, v.Id));
    }

    private static void Check(string name, string variantName, string value, IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw DepotErrors.Invalid($"name must be letters, digits and underscores, not starting with a digit, at most {MaxNameLength} characters");
        }

        if (string.IsNullOrWhiteSpace(variantName) || variantName.Length > MaxNameLength)
        {
            throw DepotErrors.Invalid($"variant name must be 1 to {MaxNameLength} characters");
        }

        if (attributes.Count > MaxAttributes || attributes.Any(a => a.Key.Length is 0 or > MaxNameLength || a.Value.Length > MaxNameLength))
        {
            throw DepotErrors.Invalid($"at most {MaxAttributes} attributes, each a non-empty key and a value of at most {MaxNameLength} characters");
        }

        CheckValue(value);
    }

    private static void CheckValue(string value)
    {
        if (Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
        {
            throw DepotErrors.Invalid($"value is larger than {MaxValueBytes} bytes");
        }
    }

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,255}$")]
    private static partial Regex NamePattern();
}
