using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.Domain.Errors;

/// <summary>
/// One entry of the domain's error catalogue: its name, its kind (and so its Connect code and HTTP status), the OCI
/// code the registry answers with, and the message template (<c>{0}</c>, <c>{1}</c>… are the arguments).
/// </summary>
public sealed record DepotErrorCode(string Name, DepotErrorKind Kind, RegistryErrorCode Oci, string Template)
{
    /// <summary>The exception for this entry; client input in <paramref name="args"/> is capped (<see cref="Echo"/>).</summary>
    public DepotException Raise(params object?[] args) =>
        new(this, Echo.Message(args.Length == 0 ? Template : string.Format(System.Globalization.CultureInfo.InvariantCulture,
            Template, args.Select(a => (object)Echo.Cap(a?.ToString() ?? "")).ToArray())));
}

/// <summary>How much of client input a message repeats.</summary>
public static class Echo
{
    public const int MaxInput = 256;
    public const int MaxMessage = 1024;

    public static string Cap(string input, int max = MaxInput) =>
        input.Length <= max ? input : input[..max] + $"… ({input.Length} characters)";

    /// <summary>A message as the catalogue lets it out: capped, and with anything shaped like an issued secret masked.</summary>
    public static string Message(string message) => Identity.Redaction.Text(Cap(message, MaxMessage));
}

/// <summary>
/// Every entry, registered once: a second entry with a taken name fails, so a name means one thing on every surface
/// (as distribution's errcode registry does).
/// </summary>
public static class DepotErrorCatalogue
{
    private static readonly Dictionary<string, DepotErrorCode> Entries = new(StringComparer.Ordinal);

    public static IReadOnlyCollection<DepotErrorCode> All
    {
        get
        {
            RuntimeHelpers();
            lock (Entries)
            {
                return Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            }
        }
    }

    public static DepotErrorCode Register(string name, DepotErrorKind kind, RegistryErrorCode oci, string template)
    {
        var code = new DepotErrorCode(name, kind, oci, template);
        lock (Entries)
        {
            if (!Entries.TryAdd(name, code))
            {
                throw new InvalidOperationException($"error {name} is registered twice");
            }
        }

        return code;
    }

    /// <summary>Makes sure the entries of <see cref="DepotErrors"/> are registered before they are listed.</summary>
    private static void RuntimeHelpers() =>
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(DepotErrors).TypeHandle);
}
