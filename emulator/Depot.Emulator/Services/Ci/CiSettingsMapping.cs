using Google.Protobuf.WellKnownTypes;
using Depot.Ci.V3Beta2;
using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;
using Attribute = Depot.Ci.V3Beta2.Attribute;

namespace Depot.Emulator.Services.Ci;

/// <summary>What <c>depot.ci.v3beta2</c> secrets and variables share: attributes, pages, filters.</summary>
internal static class CiSettingsMapping
{
    public const uint MaxPageSize = 500;

    public static List<KeyValuePair<string, string>> Attributes(IEnumerable<Attribute> attributes) =>
        attributes.Select(a => KeyValuePair.Create(a.Key, a.Value)).ToList();

    public static IEnumerable<Attribute> ToProto(IEnumerable<KeyValuePair<string, string>> attributes) =>
        attributes.Select(a => new Attribute { Key = a.Key, Value = a.Value });

    public static bool Matches(IReadOnlyList<KeyValuePair<string, string>> have, IEnumerable<Attribute> wanted) =>
        wanted.All(w => have.Any(h => h.Key == w.Key && h.Value == w.Value));

    /// <summary>One page (1-based) of named groups; page size 0 means the server's default.</summary>
    public static (List<IGrouping<string, T>> Items, PageResponse Page) Page<T>(IEnumerable<IGrouping<string, T>> groups, PageRequest? request)
    {
        var page = request?.Page is > 0 ? request.Page : 1;
        var size = request?.PageSize is > 0 ? Math.Min(request.PageSize, MaxPageSize) : 100;
        var all = groups.ToList();
        var items = all.Skip((int)((page - 1) * size)).Take((int)size).ToList();
        return (items, new PageResponse { Page = page, PageSize = size, HasMore = (page - 1) * size + items.Count < all.Count });
    }

    public static Timestamp? Modified(IEnumerable<DateTimeOffset> times) =>
        times.Any() ? Timestamp.FromDateTimeOffset(times.Max()) : null;

    public static string Lookup(string? id, string? name, Func<string, string> idOf, string what) =>
        !string.IsNullOrEmpty(name) ? name
        : !string.IsNullOrEmpty(id) ? idOf(id)
        : throw DepotErrors.Required($"{what} id or name");
}
