using System.Globalization;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Services;

/// <summary>Offset paging with opaque tokens.</summary>
internal static class Paging
{
    public const int MaxPageSize = 1000;

    public static (IReadOnlyList<T> Items, string? NextToken) Page<T>(IReadOnlyList<T> all, int pageSize, string? pageToken)
    {
        if (pageSize < 0)
        {
            throw DepotErrors.Invalid("page_size must not be negative");
        }

        var size = pageSize == 0 ? MaxPageSize : Math.Min(pageSize, MaxPageSize);
        var offset = 0;
        if (!string.IsNullOrEmpty(pageToken))
        {
            var bytes = new byte[pageToken.Length];
            if (!Convert.TryFromBase64String(pageToken, bytes, out var length) ||
                !int.TryParse(System.Text.Encoding.UTF8.GetString(bytes, 0, length), NumberStyles.None, CultureInfo.InvariantCulture, out offset) ||
                offset > all.Count)
            {
                throw DepotErrors.PageTokenInvalid.Raise();
            }
        }

        var items = all.Skip(offset).Take(size).ToList();
        var next = offset + items.Count < all.Count
            ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes((offset + items.Count).ToString(CultureInfo.InvariantCulture)))
            : null;
        return (items, next);
    }
}
