using System.Globalization;
using Orka.Gateway.Contracts;

namespace Orka.Gateway.Api.Search;

/// <summary>
/// A search's continuation: <c>partition:offset</c> pairs joined by commas (<c>0:120,1:98</c>), the
/// next offset to scan in each partition searched. Readable on purpose, so a shared URL says where
/// it points.
/// </summary>
internal static class SearchCursor
{
    public static string Format(IEnumerable<ScanPosition> positions) =>
        string.Join(',', positions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Partition}:{p.NextOffset}")));

    /// <summary>The partitions and offsets of <paramref name="cursor"/>; InvalidRequest when it is malformed.</summary>
    public static IReadOnlyList<(int Partition, long Offset)> Parse(string cursor)
    {
        var pairs = new List<(int, long)>();
        foreach (var part in cursor.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':');
            if (colon < 0
                || !int.TryParse(part[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"cursor '{cursor}' is not partition:offset pairs separated by commas (e.g. 0:120,1:98).");
            }

            if (pairs.Any(p => p.Item1 == partition))
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"cursor '{cursor}' names partition {partition} twice.");
            }

            pairs.Add((partition, offset));
        }

        return pairs.Count > 0 ? pairs : throw new OrkaException(OrkaErrorCode.InvalidRequest, "cursor is empty; pass a previous answer's nextCursor.");
    }
}
