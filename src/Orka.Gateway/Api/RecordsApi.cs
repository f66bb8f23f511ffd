using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Orka.Client;
using Orka.Gateway.Contracts;
using Orka.Records;

namespace Orka.Gateway.Api;

/// <summary>
/// <c>/api/topics/{name}/records</c> and <c>/api/topics/{name}/partitions/{partition}/records</c>:
/// produce, read from an offset or a timestamp, live tail (Server-Sent Events).
/// </summary>
public static partial class RecordsApi
{
    /// <summary>Most records one produce request may carry.</summary>
    public const int MaxRecordsPerRequest = 10_000;

    /// <summary>Bytes asked of a partition per fetch while reading a page.</summary>
    private const int FetchBytes = 1024 * 1024;

    public static RouteGroupBuilder MapRecordsApi(this RouteGroupBuilder api)
    {
        var records = api.MapGroup("/topics/{name}").WithTags("Records");
        records.MapPost("/records", ProduceAsync)
            .Accepts<ProduceRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithName("ProduceRecords").WithSummary("Produces one or many records (acks=all); answers each record's partition and offset.");
        records.MapGet("/partitions/{partition}/records", ReadAsync)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .WithName("ReadRecords")
            .WithSummary("Reads a partition from `offset` (default: log start) or from the first record at or after `timestamp` (Unix ms), at most `limit` records (1-1000, default 100); `nextOffset` continues.");
        records.MapGet("/records/tail", TailAsync)
            .Produces<RecordView>(StatusCodes.Status200OK, "text/event-stream")
            .WithName("TailRecords")
            .WithSummary("Live tail as Server-Sent Events (`event: record`, data: a record); `from=latest` (default) or `earliest`, optional `partition`.");
        return api;
    }

    private static async Task<Ok<ProduceResponse>> ProduceAsync(HttpContext context, IClusterClient client, TimeProvider time, string name)
    {
        var request = await JsonBody.ReadAsync<ProduceRequest>(context);
        var metadata = await new OrkaAdmin(client).GetTopicAsync(name);
        if (request.Records is null || request.Records.Count == 0)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, "records is empty; send at least one record.");
        }

        if (request.Records.Count > MaxRecordsPerRequest)
        {
            throw new OrkaException(OrkaErrorCode.RecordListTooLarge, $"{request.Records.Count} records in one request; the limit is {MaxRecordsPerRequest}.");
        }

        // Everything is validated and encoded before the first byte is sent: a bad record fails the
        // request without producing any of it.
        var base64 = RecordJson.IsBase64(request.Encoding);
        var unkeyedPartition = Random.Shared.Next(metadata.PartitionCount);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var builders = new SortedDictionary<int, RecordBatchBuilder>();
        var placed = new (int Partition, int Index)[request.Records.Count];
        for (var i = 0; i < request.Records.Count; i++)
        {
            var record = request.Records[i] ?? throw new OrkaException(OrkaErrorCode.InvalidRequest, $"records[{i}] is null.");
            var key = RecordJson.ToBytes(record.Key, base64, $"records[{i}].key");
            var value = RecordJson.ToBytes(record.Value, base64, $"records[{i}].value");
            var headers = record.Headers?.Select(h => new RecordHeader(
                h.Key,
                RecordJson.ToBytes(h.Value, base64, $"records[{i}].headers.{h.Key}") is { } bytes ? bytes : (ReadOnlyMemory<byte>?)null)).ToList();
            var partition = record.Partition ?? (key is not null ? Murmur2Partitioner.Partition(key, metadata.PartitionCount) : unkeyedPartition);
            if (partition < 0 || partition >= metadata.PartitionCount)
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"records[{i}].partition is {partition}; topic '{name}' has partitions 0-{metadata.PartitionCount - 1}.");
            }

            if (record.Timestamp is < 0)
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"records[{i}].timestamp must be Unix milliseconds (0 or more); got {record.Timestamp}.");
            }

            if (!builders.TryGetValue(partition, out var builder))
            {
                builder = builders[partition] = new RecordBatchBuilder();
            }

            placed[i] = (partition, builder.Count);
            builder.Append(record.Timestamp ?? now, key, value, headers, keyIsNull: key is null, valueIsNull: value is null);
        }

        // One batch per partition, all partitions at once. A failure on one partition (its node is
        // down) fails the request, but batches already appended to other partitions stay.
        var results = await Task.WhenAll(builders.Select(async b =>
            (b.Key, await client.GetPartitionGrain(name, b.Key).ProduceAsync(b.Value.Build(), Acks.All))));
        var bases = results.ToDictionary(r => r.Key, r => r.Item2.BaseOffset);
        return TypedResults.Ok(new ProduceResponse(placed.Select(p => new ProducedRecord(p.Partition, bases[p.Partition] + p.Index)).ToList()));
    }

    private static async Task<Ok<RecordPage>> ReadAsync(
        IClusterClient client, string name, int partition, long? offset, long? timestamp, int? limit, string? encoding, CancellationToken cancellationToken)
    {
        var size = Paging.Limit(limit);
        var forceBase64 = RecordJson.IsBase64(encoding);
        var metadata = await new OrkaAdmin(client).GetTopicAsync(name);
        if (partition < 0 || partition >= metadata.PartitionCount)
        {
            throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{name}' has no partition {partition}; it has partitions 0-{metadata.PartitionCount - 1}.");
        }

        if (offset is not null && timestamp is not null)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, "Give offset or timestamp, not both.");
        }

        var grain = client.GetPartitionGrain(name, partition);
        var offsets = await grain.GetOffsetsAsync();
        long start;
        if (timestamp is { } ts)
        {
            if (ts < 0)
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"timestamp must be Unix milliseconds (0 or more); got {ts}.");
            }

            var found = await grain.ListOffsetAsync(ts);
            start = found < 0 ? offsets.LogEndOffset : found; // no record that late: the reader is at the end
        }
        else
        {
            start = offset ?? offsets.LogStartOffset;
            if (start < offsets.LogStartOffset || start > offsets.LogEndOffset)
            {
                throw new OrkaException(
                    OrkaErrorCode.OffsetOutOfRange,
                    $"Offset {start} is outside partition {partition} of '{name}', which holds offsets {offsets.LogStartOffset} to {offsets.LogEndOffset} (log end, exclusive).");
            }
        }

        var records = new List<RecordView>(Math.Min(size, 256));
        var next = start;
        var logStart = offsets.LogStartOffset;
        var logEnd = offsets.LogEndOffset;
        while (records.Count < size && !cancellationToken.IsCancellationRequested)
        {
            var previous = next;
            FetchResult fetched;
            try
            {
                fetched = await grain.FetchAsync(new FetchRequest(next, FetchBytes, 0, TimeSpan.Zero));
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.CorruptMessage && records.Count > 0)
            {
                break; // the page ends before the corrupt range; the next page's read reports it (problem+json)
            }

            logStart = fetched.LogStartOffset;
            logEnd = fetched.HighWatermark;
            if (fetched.Batches.IsEmpty)
            {
                break;
            }

            foreach (var record in RecordBatchReader.ReadRecords(fetched.Batches))
            {
                if (record.Offset < next)
                {
                    continue;
                }

                records.Add(RecordJson.View(partition, record, forceBase64));
                next = record.Offset + 1;
                if (records.Count == size)
                {
                    break;
                }
            }

            // A compacted batch can end with offsets whose records are gone: step past whole batches.
            if (records.Count < size && EndOfWholeBatches(fetched.Batches.Span) is var end && end > next)
            {
                next = end;
            }

            if (next >= logEnd || next == previous)
            {
                break; // caught up, or (never expected) a fetch that did not move the reader
            }
        }

        return TypedResults.Ok(new RecordPage(name, partition, logStart, logEnd, next, records));
    }

    /// <summary>The offset after the last whole batch in <paramref name="batches"/>, or -1.</summary>
    internal static long EndOfWholeBatches(ReadOnlySpan<byte> batches)
    {
        var end = -1L;
        while (batches.Length >= RecordBatchHeader.Size)
        {
            var header = RecordBatchHeader.Read(batches);
            if (header.SizeInBytes > batches.Length || header.SizeInBytes < RecordBatchHeader.Size)
            {
                break;
            }

            end = header.LastOffset + 1;
            batches = batches[header.SizeInBytes..];
        }

        return end;
    }

    private static async Task TailAsync(
        IClusterClient client, IHostApplicationLifetime lifetime, ILoggerFactory loggers, IOptions<JsonOptions> json,
        string name, string? from, int? partition, string? encoding, HttpContext context)
    {
        var forceBase64 = RecordJson.IsBase64(encoding);
        var fromEarliest = from switch
        {
            null or "latest" => false,
            "earliest" => true,
            _ => throw new OrkaException(OrkaErrorCode.InvalidRequest, $"from must be 'latest' or 'earliest'; got '{from}'."),
        };

        // Everything that can fail is checked before the stream starts, so it fails as problem+json.
        var tail = await RecordTail.OpenAsync(client, name, partition, fromEarliest, forceBase64, loggers.CreateLogger<RecordTail>());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);

        // Headers go out at once, so a client knows the tail is open before the first record exists.
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(stop.Token);
        await response.Body.FlushAsync(stop.Token);
        var options = json.Value.SerializerOptions;
        try
        {
            await SseFormatter.WriteAsync(
                tail.ReadAsync(stop.Token),
                response.Body,
                (item, buffer) =>
                {
                    using var writer = new Utf8JsonWriter(buffer);
                    JsonSerializer.Serialize(writer, item.Data, options);
                },
                stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the gateway is stopping: the stream simply ends.
        }
    }
}
