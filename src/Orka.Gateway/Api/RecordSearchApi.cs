using Microsoft.AspNetCore.Http.HttpResults;
using Orka.Client;
using Orka.Gateway.Api.Search;
using Orka.Gateway.Contracts;

namespace Orka.Gateway.Api;

/// <summary>
/// <c>GET /api/topics/{name}/records/search</c>: a bounded, filtered scan of one partition or of all
/// of them merged by timestamp (<see cref="RecordSearch"/>, <see cref="RecordFilter"/>). The filter
/// runs here, so the browser gets the matches and never the scanned records.
/// </summary>
public static class RecordSearchApi
{
    /// <summary>Records scanned per request unless <c>maxScan</c> says otherwise.</summary>
    public const int DefaultMaxScan = 10_000;

    /// <summary>Most records one request may scan.</summary>
    public const int MaxScanLimit = 100_000;

    /// <summary>
    /// Bytes one search may ask of all its partitions at once (each buffers one fetch): 1 MiB per
    /// partition up to 4 partitions, then less each, but never under 64 KiB.
    /// </summary>
    private const int FetchBudgetBytes = 4 * 1024 * 1024;

    public static RouteGroupBuilder MapRecordSearchApi(this RouteGroupBuilder api)
    {
        api.MapGroup("/topics/{name}").WithTags("Records")
            .MapGet("/records/search", SearchAsync)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .WithName("SearchRecords")
            .WithSummary("Scans `partition` (absent: every partition, merged by timestamp) from `offset`, `timestamp` (Unix ms) or `cursor`, keeping records whose "
                + "`key`/`value` contain a substring, that carry `header` (name or name=value) and whose JSON value meets `json` (e.g. `$.user.id == 42`); "
                + "at most `limit` matches (1-1000, default 100) and `maxScan` records read (1-100000, default 10000). Answers how many were scanned, why it stopped and `nextCursor`.");
        return api;
    }

    private static async Task<Ok<RecordSearchPage>> SearchAsync(
        IClusterClient client,
        string name,
        int? partition,
        long? offset,
        long? timestamp,
        string? cursor,
        string? key,
        string? value,
        string? header,
        string? json,
        int? limit,
        int? maxScan,
        string? encoding,
        CancellationToken cancellationToken)
    {
        var size = Paging.Limit(limit);
        var scanLimit = maxScan switch
        {
            null => DefaultMaxScan,
            >= 1 and <= MaxScanLimit => maxScan.Value,
            _ => throw new OrkaException(OrkaErrorCode.InvalidRequest, $"maxScan must be between 1 and {MaxScanLimit}; got {maxScan}."),
        };
        var forceBase64 = RecordJson.IsBase64(encoding);
        var filter = new RecordFilter(key, value, header, json);
        if (new[] { offset is not null, timestamp is not null, cursor is not null }.Count(given => given) > 1)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, "Give one of offset, timestamp and cursor.");
        }

        if (offset is not null && partition is null)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, "offset needs a partition (offsets are per partition); across partitions start from a timestamp or a cursor.");
        }

        if (timestamp is < 0)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, $"timestamp must be Unix milliseconds (0 or more); got {timestamp}.");
        }

        var scans = await OpenScansAsync(client, name, partition, offset, timestamp, cursor);
        return TypedResults.Ok(await RecordSearch.RunAsync(name, scans, filter, size, scanLimit, forceBase64, cancellationToken));
    }

    /// <summary>One scan per partition searched, each at its start (offset, timestamp, cursor or log start); 404/416 for partitions or offsets the topic does not have.</summary>
    private static async Task<PartitionScan[]> OpenScansAsync(IClusterClient client, string name, int? partition, long? offset, long? timestamp, string? cursor)
    {
        var metadata = await new OrkaAdmin(client).GetTopicAsync(name);
        IPartitionGrain Grain(int p) => client.GetPartitionGrain(name, p);
        void CheckPartition(int p)
        {
            if (p < 0 || p >= metadata.PartitionCount)
            {
                throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{name}' has no partition {p}; it has partitions 0-{metadata.PartitionCount - 1}.");
            }
        }

        IReadOnlyList<(int Partition, long? Offset)> starts;
        if (cursor is not null)
        {
            var pairs = SearchCursor.Parse(cursor);
            if (partition is { } only && pairs.Any(p => p.Partition != only))
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"cursor '{cursor}' names partitions other than partition {only}.");
            }

            starts = pairs.OrderBy(p => p.Partition).Select(p => (p.Partition, (long?)p.Offset)).ToList();
        }
        else
        {
            starts = (partition is { } only ? [only] : Enumerable.Range(0, metadata.PartitionCount)).Select(p => (p, offset)).ToList();
        }

        foreach (var (p, _) in starts)
        {
            CheckPartition(p);
        }

        var fetchBytes = Math.Clamp(FetchBudgetBytes / starts.Count, 64 * 1024, 1024 * 1024);
        var scans = await Task.WhenAll(starts.Select(async s =>
        {
            var grain = Grain(s.Partition);
            var offsets = await grain.GetOffsetsAsync();
            long start;
            if (timestamp is { } ts)
            {
                var found = await grain.ListOffsetAsync(ts);
                start = found < 0 ? offsets.LogEndOffset : found; // no record that late: nothing to scan here
            }
            else
            {
                start = s.Offset ?? offsets.LogStartOffset;
                if (start > offsets.LogEndOffset || (start < offsets.LogStartOffset && cursor is null))
                {
                    throw new OrkaException(
                        OrkaErrorCode.OffsetOutOfRange,
                        $"Offset {start} is outside partition {s.Partition} of '{name}', which holds offsets {offsets.LogStartOffset} to {offsets.LogEndOffset} (log end, exclusive).");
                }

                // A cursor older than the log start (retention ran since) resumes at the log start.
                start = Math.Max(start, offsets.LogStartOffset);
            }

            return new PartitionScan(s.Partition, grain, start, fetchBytes);
        }));

        return scans;
    }
}
