using System.Buffers.Text;
using System.Text;
using Orka.Gateway.Contracts;

namespace Orka.Gateway.Api;

/// <summary>
/// Cursor paging shared by every list: items sorted by a string key, <c>?limit=</c> (1-1000, default
/// 100) and <c>?cursor=</c> (opaque: the base64url of the last key of the previous page). A cursor
/// names a position rather than an index, so adding or removing items never repeats or skips
/// others.
/// </summary>
public static class Paging
{
    /// <summary>Default page size.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Largest page size accepted.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The page size asked for; throws InvalidRequest outside 1..<see cref="MaxLimit"/>.</summary>
    public static int Limit(int? limit) => limit switch
    {
        null => DefaultLimit,
        >= 1 and <= MaxLimit => limit.Value,
        _ => throw new OrkaException(OrkaErrorCode.InvalidRequest, $"limit must be between 1 and {MaxLimit}; got {limit}."),
    };

    /// <summary>The page after <paramref name="cursor"/> of <paramref name="items"/> ordered by <paramref name="key"/>.</summary>
    public static Page<T> Take<T>(IEnumerable<T> items, Func<T, string> key, string? cursor, int? limit)
    {
        var size = Limit(limit);
        var after = Decode(cursor);
        var page = items
            .OrderBy(key, StringComparer.Ordinal)
            .Where(i => after is null || string.CompareOrdinal(key(i), after) > 0)
            .Take(size + 1)
            .ToList();
        var next = page.Count > size ? Encode(key(page[size - 1])) : null;
        return new Page<T>(page.Take(size).ToList(), next);
    }

    /// <summary>The keys after <paramref name="cursor"/>, at most one page of them plus one (to know whether more follow).</summary>
    public static IReadOnlyList<string> KeysAfter(IEnumerable<string> keys, string? cursor, int size)
    {
        var after = Decode(cursor);
        return keys.Order(StringComparer.Ordinal).Where(k => after is null || string.CompareOrdinal(k, after) > 0).Take(size + 1).ToList();
    }

    /// <summary>The cursor that continues after <paramref name="lastKey"/>.</summary>
    public static string Encode(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

    private static string? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, "cursor is not one this API handed out; pass nextCursor from the previous page unchanged.");
        }
    }
}
