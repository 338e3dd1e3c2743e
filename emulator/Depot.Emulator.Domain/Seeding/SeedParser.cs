using Depot.Emulator.Domain.Errors;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Depot.Emulator.Domain.Seeding;

public static class SeedParser
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithCaseInsensitivePropertyMatching()
        .WithDuplicateKeyChecking()
        .Build();

    /// <summary>Parses YAML or JSON (JSON is YAML); unknown keys are errors, so typos do not pass silently.</summary>
    public static SeedDocument Parse(string text)
    {
        try
        {
            return Yaml.Deserialize<SeedDocument?>(text) ?? new SeedDocument();
        }
        catch (YamlException e)
        {
            var where = e.Start.Line > 0 ? $" at line {e.Start.Line}, column {e.Start.Column}" : "";
            throw DepotErrors.Invalid($"seed is not valid{where}: {(e.InnerException ?? e).Message}");
        }
    }
}
