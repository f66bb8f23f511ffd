using Orka.Gateway.Contracts;

namespace Orka.Gateway.Api.Search;

/// <summary>
/// A bounded scan of some partitions of a topic, merged by timestamp: each step takes, of the
/// partitions' next records, the one with the smallest timestamp (then the lowest partition), counts
/// it as scanned and keeps it if the filter matches. It stops after <c>limit</c> matches,
/// <c>maxScan</c> records scanned, or at every partition's log end, and says where each partition
/// stopped. Costs one fetch per partition per fetch-size of records scanned there (at most 4 MiB
/// buffered for the whole search); nothing is held beyond those buffers, and the caller receives only
/// the matches.
/// </summary>
internal static class RecordSearch
{
    public static async Task<RecordSearchPage> RunAsync(
        string topic,
        IReadOnlyList<PartitionScan> partitions,
        RecordFilter filter,
        int limit,
        int maxScan,
        bool forceBase64,
        CancellationToken cancellationToken)
    {
        var matches = new List<RecordView>();
        var scanned = 0L;
        while (matches.Count < limit && scanned < maxScan)
        {
            await Task.WhenAll(partitions.Select(p => p.FillAsync(cancellationToken)));
            PartitionScan? next = null;
            var nextTimestamp = long.MaxValue;
            foreach (var p in partitions)
            {
                if (p.TryPeek(out var head) && (next is null || head.Timestamp < nextTimestamp))
                {
                    next = p;
                    nextTimestamp = head.Timestamp;
                }
            }

            if (next is null)
            {
                break; // every partition is at its end
            }

            var record = next.Take();
            scanned++;
            if (filter.Matches(record))
            {
                matches.Add(RecordJson.View(next.Partition, record, forceBase64));
            }
        }

        // Whether the end was reached is only known once every partition has tried to fetch again.
        await Task.WhenAll(partitions.Select(p => p.FillAsync(cancellationToken)));
        var atEnd = partitions.All(p => p.AtEnd);
        var stoppedBecause = atEnd ? "end" : matches.Count >= limit ? "limit" : "scanLimit";
        var positions = partitions.Select(p => new ScanPosition(p.Partition, p.NextOffset, p.LogEndOffset)).ToList();
        return new RecordSearchPage(topic, scanned, stoppedBecause, atEnd ? null : SearchCursor.Format(positions), positions, matches);
    }
}
