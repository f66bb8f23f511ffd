using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// Produce (key 0) v3-9. Each partition's records go to its partition grain exactly as sent (the
/// log assigns the base offset and validates every batch's CRC; a bad batch fails the partition
/// with CORRUPT_MESSAGE and nothing of it is appended). Partitions of one request are appended in
/// parallel. With acks=0 Kafka sends no response, and neither does this. Pipelined: see
/// <see cref="StartAsync"/>. A partition named more than once in one request is appended not at
/// all: each of its entries is answered INVALID_REQUEST (Kafka keeps the last one and drops the
/// others without a word; a duplicate is a client bug that should not lose records silently).
/// </summary>
public sealed class ProduceApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.Produce;

    public override short MinVersion => 3;

    public override short MaxVersion => 9;

    public override short FirstFlexibleVersion => 9;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken) =>
        await await StartAsync(header, request, response, cancellationToken);

    /// <summary>
    /// Stage one appends every partition (in parallel) and starts, for acks=all, each appended
    /// partition's wait for its fsync; stage two awaits those waits and writes the response. So the
    /// next request on the connection appends only after this one's appends (per-partition order is
    /// request order, as an idempotent producer needs), while its fsync overlaps with this one's:
    /// the partition log's group commit then covers several requests with one fsync.
    /// </summary>
    public override async ValueTask<Task<bool>> StartAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var transactionalId = request.ReadNullableString();
        var acks = request.ReadInt16();
        _ = request.ReadInt32(); // timeout: acks are answered as soon as they hold
        var topics = request.ReadArray(r =>
        {
            var name = r.ReadString();
            var partitions = r.ReadArray(rp =>
            {
                var index = rp.ReadInt32();
                var records = rp.ReadNullableBytes();
                rp.SkipTaggedFields();
                return (Index: index, Records: records);
            });
            r.SkipTaggedFields();
            return (Name: name, Partitions: partitions);
        });
        request.SkipTaggedFields();

        var duplicates = Duplicates(topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.Index))));
        var results = new List<(string Name, List<Task<PartitionAppend>> Partitions)>();
        foreach (var topic in topics)
        {
            var metadata = Names.TopicNameError(topic.Name) is null ? await context.Topics.GetAsync(topic.Name) : null;
            results.Add((topic.Name, [.. topic.Partitions.Select(p => duplicates?.Contains((topic.Name, p.Index)) == true
                ? Task.FromResult(new PartitionAppend(p.Index, OrkaErrorCode.InvalidRequest, -1, -1, null))
                : AppendAsync(request, topic.Name, metadata, p.Index, p.Records, acks, transactionalId))]));
        }

        await Task.WhenAll(results.SelectMany(r => r.Partitions));
        if (acks == 0)
        {
            return Task.FromResult(false);
        }

        if (acks != -1)
        {
            WriteResponse(response, version, [.. results.Select(r => (r.Name, r.Partitions.Select(p => p.Result).ToList()))]); // all complete
            return Task.FromResult(true);
        }

        return WriteWhenDurableAsync(response, version, results);
    }

    /// <summary>The topic-partitions named more than once; null when there are none (the usual case, without allocating a second set).</summary>
    private static HashSet<(string, int)>? Duplicates(IEnumerable<(string Topic, int Partition)> partitions)
    {
        var seen = new HashSet<(string, int)>();
        HashSet<(string, int)>? duplicates = null;
        foreach (var partition in partitions)
        {
            if (!seen.Add(partition))
            {
                (duplicates ??= []).Add(partition);
            }
        }

        return duplicates;
    }

    /// <summary>
    /// Stage two of acks=all: waits for every partition's fsync, then writes the response; a
    /// partition whose fsync failed gets that error instead of its offsets.
    /// </summary>
    private static async Task<bool> WriteWhenDurableAsync(KafkaWriter response, short version, List<(string Name, List<Task<PartitionAppend>> Partitions)> results)
    {
        var answers = new List<(string Name, List<PartitionAppend> Partitions)>(results.Count);
        foreach (var (name, partitions) in results)
        {
            var answered = new List<PartitionAppend>(partitions.Count);
            foreach (var task in partitions)
            {
                var append = await task; // complete: stage one awaited them all
                if (append.Durable is { } wait && await wait is var error and not OrkaErrorCode.None)
                {
                    append = append with { Error = error, BaseOffset = -1, LogStart = -1 };
                }

                answered.Add(append);
            }

            answers.Add((name, answered));
        }

        WriteResponse(response, version, answers);
        return true;
    }

    private static void WriteResponse(KafkaWriter response, short version, List<(string Name, List<PartitionAppend> Partitions)> results)
    {
        response.WriteArrayLength(results.Count);
        foreach (var (name, partitions) in results)
        {
            response.WriteString(name);
            response.WriteArrayLength(partitions.Count);
            foreach (var (index, error, baseOffset, logStart, _) in partitions)
            {
                response.WriteInt32(index);
                response.WriteInt16((short)error);
                response.WriteInt64(baseOffset);
                response.WriteInt64(-1); // log append time: Orka keeps the producer's create time
                if (version >= 5)
                {
                    response.WriteInt64(logStart);
                }

                if (version >= 8)
                {
                    response.WriteArrayLength(0); // record errors
                    response.WriteNullableString(null);
                }

                response.WriteEmptyTaggedFields();
            }

            response.WriteEmptyTaggedFields();
        }

        response.WriteInt32(0); // throttle
        response.WriteEmptyTaggedFields();
    }

    /// <summary>
    /// One partition's append: its error or offsets, and for acks=all the (already started) wait
    /// for its fsync, which gives the error to answer if the fsync fails.
    /// </summary>
    private readonly record struct PartitionAppend(int Index, OrkaErrorCode Error, long BaseOffset, long LogStart, Task<OrkaErrorCode>? Durable);

    private async Task<PartitionAppend> AppendAsync(
        KafkaReader request, string topic, TopicMetadata? metadata, int index, ReadOnlyMemory<byte>? records, short acks, string? transactionalId)
    {
        if (transactionalId is not null)
        {
            return new(index, OrkaErrorCode.TransactionalIdAuthorizationFailed, -1, -1, null); // no transactions in Orka
        }

        if (acks is not (0 or 1 or -1))
        {
            return new(index, OrkaErrorCode.InvalidRequiredAcks, -1, -1, null);
        }

        var leadership = context.LeadershipError(metadata, index);
        if (leadership != OrkaErrorCode.None)
        {
            return new(index, leadership, -1, -1, null);
        }

        if (records is not { Length: > 0 } batches)
        {
            return new(index, OrkaErrorCode.CorruptMessage, -1, -1, null);
        }

        try
        {
            var grain = context.Grains.GetPartitionGrain(topic, index);
            var result = await grain.AppendAsync(batches, (Acks)acks);
            // Started now, awaited in stage two: the next request's appends do not wait for it.
            var durable = acks == -1 ? WaitForFlushAsync(grain, result.LastOffset + 1) : null;
            return new(index, OrkaErrorCode.None, result.BaseOffset, result.LogStartOffset, durable);
        }
        catch (Exception e)
        {
            if (e is TimeoutException)
            {
                // The call may still reach the grain, which reads the batch from the frame itself.
                request.RetainFrame();
            }

            return new(index, ErrorOf(topic, e), -1, -1, null);
        }
    }

    private async Task<OrkaErrorCode> WaitForFlushAsync(IPartitionGrain grain, long endOffset)
    {
        try
        {
            await grain.FlushToAsync(endOffset);
            return OrkaErrorCode.None;
        }
        catch (Exception e)
        {
            return context.ErrorOf(e);
        }
    }

    private OrkaErrorCode ErrorOf(string topic, Exception e)
    {
        var error = context.ErrorOf(e);
        if (error == OrkaErrorCode.UnknownTopicOrPartition)
        {
            context.Topics.Invalidate(topic);
        }

        return error;
    }
}
