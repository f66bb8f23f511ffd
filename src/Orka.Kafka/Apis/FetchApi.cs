using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// Fetch (key 1) v4-12, without fetch sessions (every fetch is a full one; session id 0). The
/// records of each partition are the stored batches, copied into the response unchanged.
/// </summary>
/// <remarks>
/// <para>Waiting: all partitions are first read without waiting. When that gives fewer than
/// min_bytes and max_wait_ms allows, each partition is asked again with a long poll, and the
/// response is assembled from a last immediate read as soon as any of them sees data (or the wait
/// is over). Long polls still pending then end on their own within max_wait_ms (capped by the
/// partition grain at 10 s); they hold no lock and change nothing.</para>
/// <para>Sizes: each partition reads at most its partition_max_bytes; partitions are added in
/// request order until max_bytes is used, but the first non-empty one is always included whole,
/// as Kafka does, so a batch larger than the limits still gets through. max_bytes is capped by
/// <c>Orka:Kafka:FetchMaxBytes</c> (Kafka's broker <c>fetch.max.bytes</c>), and so is each
/// partition's read.</para>
/// <para>A partition named more than once is read and answered once, for its first entry, as
/// Kafka does (its fetch request is a map): a client cannot make the node read the same data N times.</para>
/// </remarks>
public sealed class FetchApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.Fetch;

    public override short MinVersion => 4;

    public override short MaxVersion => 12;

    public override short FirstFlexibleVersion => 12;

    private sealed record PartitionRequest(int Partition, long FetchOffset, int MaxBytes);

    private sealed record PartitionAnswer(OrkaErrorCode Error, long HighWatermark, long LogStartOffset, ReadOnlyMemory<byte> Records);

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        _ = request.ReadInt32(); // replica id (-1 for consumers)
        var maxWaitMs = request.ReadInt32();
        var minBytes = request.ReadInt32();
        var maxBytes = request.ReadInt32();
        _ = request.ReadInt8(); // isolation level: without transactions every record is committed
        if (version >= 7)
        {
            _ = request.ReadInt32(); // session id
            _ = request.ReadInt32(); // session epoch
        }

        var topics = request.ReadArray(r =>
        {
            var name = r.ReadString();
            var partitions = r.ReadArray(rp =>
            {
                var partition = rp.ReadInt32();
                if (version >= 9)
                {
                    _ = rp.ReadInt32(); // current leader epoch
                }

                var offset = rp.ReadInt64();
                if (version >= 12)
                {
                    _ = rp.ReadInt32(); // last fetched epoch
                }

                if (version >= 5)
                {
                    _ = rp.ReadInt64(); // log start offset (followers only)
                }

                var partitionMaxBytes = rp.ReadInt32();
                rp.SkipTaggedFields();
                return new PartitionRequest(partition, offset, partitionMaxBytes);
            });
            r.SkipTaggedFields();
            return (Name: name, Partitions: partitions);
        });
        if (version >= 7)
        {
            _ = request.ReadArray(r =>
            {
                _ = r.ReadString();
                _ = r.ReadArray(rp => rp.ReadInt32());
                r.SkipTaggedFields();
                return 0;
            });
        }

        if (version >= 11)
        {
            _ = request.ReadString(); // rack id
        }

        request.SkipTaggedFields();
        topics = WithoutDuplicates(topics);
        maxBytes = maxBytes <= 0 ? context.Options.FetchMaxBytes : Math.Min(maxBytes, context.Options.FetchMaxBytes);

        var metadata = new Dictionary<string, TopicMetadata?>(StringComparer.Ordinal);
        foreach (var topic in topics)
        {
            if (!metadata.ContainsKey(topic.Name))
            {
                metadata[topic.Name] = Names.TopicNameError(topic.Name) is null ? await context.Topics.GetAsync(topic.Name) : null;
            }
        }

        var wait = TimeSpan.FromMilliseconds(Math.Clamp(maxWaitMs, 0, 60_000));
        var answers = await ReadAllAsync(topics, metadata, TimeSpan.Zero);
        if (wait > TimeSpan.Zero && answers.Sum(a => a.Sum(p => p.Records.Length)) < Math.Max(minBytes, 1) && answers.All(a => a.All(p => p.Error == OrkaErrorCode.None)))
        {
            var polls = topics.SelectMany(t => t.Partitions.Select(p => ReadAsync(t.Name, metadata[t.Name], p, wait))).ToList();
            var timeout = Task.Delay(wait, context.Time, cancellationToken);
            while (polls.Count > 0)
            {
                var done = await Task.WhenAny(polls.Append(timeout));
                if (done == timeout)
                {
                    break;
                }

                var poll = (Task<PartitionAnswer>)done;
                if ((await poll).Records.Length > 0)
                {
                    break;
                }

                polls.Remove(poll);
            }

            answers = await ReadAllAsync(topics, metadata, TimeSpan.Zero);
        }

        response.WriteInt32(0); // throttle
        if (version >= 7)
        {
            response.WriteInt16(0); // error
            response.WriteInt32(0); // session id: no fetch sessions
        }
        var budget = maxBytes;

        // One buffer for the whole response (the records read plus ~64 bytes of fields per
        // partition), instead of a copy of everything written so far at every doubling.
        var recordBytes = answers.Sum(a => a.Sum(p => (long)p.Records.Length));
        response.Reserve((int)Math.Min(recordBytes + topics.Sum(t => t.Name.Length + 16 + (64L * t.Partitions.Count)), int.MaxValue / 2));
        var included = false;
        response.WriteArrayLength(topics.Count);
        for (var t = 0; t < topics.Count; t++)
        {
            response.WriteString(topics[t].Name);
            response.WriteArrayLength(topics[t].Partitions.Count);
            for (var p = 0; p < topics[t].Partitions.Count; p++)
            {
                var answer = answers[t][p];
                var records = answer.Records;
                if (records.Length > budget && included)
                {
                    records = ReadOnlyMemory<byte>.Empty; // over the response limit; the next fetch gets it
                }

                budget = Math.Max(0, budget - records.Length);
                included |= records.Length > 0;
                response.WriteInt32(topics[t].Partitions[p].Partition);
                response.WriteInt16((short)answer.Error);
                response.WriteInt64(answer.HighWatermark);
                response.WriteInt64(answer.HighWatermark); // last stable offset: no transactions
                if (version >= 5)
                {
                    response.WriteInt64(answer.LogStartOffset);
                }

                response.WriteArrayLength(0); // aborted transactions
                if (version >= 11)
                {
                    response.WriteInt32(-1); // preferred read replica
                }

                response.WriteBytes(records.Span);
                response.WriteEmptyTaggedFields();
            }

            response.WriteEmptyTaggedFields();
        }

        response.WriteEmptyTaggedFields();
        return true;
    }

    /// <summary>The topics with every partition after its first entry left out (a topic entry left with none goes too).</summary>
    private static List<(string Name, List<PartitionRequest> Partitions)> WithoutDuplicates(List<(string Name, List<PartitionRequest> Partitions)> topics)
    {
        var seen = new HashSet<(string, int)>();
        var result = new List<(string Name, List<PartitionRequest> Partitions)>(topics.Count);
        foreach (var (name, partitions) in topics)
        {
            var unique = partitions.Where(p => seen.Add((name, p.Partition))).ToList();
            if (unique.Count > 0 || partitions.Count == 0)
            {
                result.Add((name, unique));
            }
        }

        return result;
    }

    private async Task<PartitionAnswer[][]> ReadAllAsync(
        List<(string Name, List<PartitionRequest> Partitions)> topics, Dictionary<string, TopicMetadata?> metadata, TimeSpan wait)
    {
        var reads = topics.Select(t => Task.WhenAll(t.Partitions.Select(p => ReadAsync(t.Name, metadata[t.Name], p, wait)))).ToList();
        return await Task.WhenAll(reads);
    }

    private async Task<PartitionAnswer> ReadAsync(string topic, TopicMetadata? metadata, PartitionRequest partition, TimeSpan wait)
    {
        var leadership = context.LeadershipError(metadata, partition.Partition);
        if (leadership != OrkaErrorCode.None)
        {
            return new PartitionAnswer(leadership, -1, -1, ReadOnlyMemory<byte>.Empty);
        }

        var grain = context.Grains.GetPartitionGrain(topic, partition.Partition);
        try
        {
            var result = await grain.FetchAsync(new FetchRequest(partition.FetchOffset, Math.Clamp(partition.MaxBytes, 1, context.Options.FetchMaxBytes), 1, wait));
            return new PartitionAnswer(OrkaErrorCode.None, result.HighWatermark, result.LogStartOffset, result.Batches);
        }
        catch (Exception e)
        {
            var error = context.ErrorOf(e);
            if (error == OrkaErrorCode.OffsetOutOfRange)
            {
                try
                {
                    var offsets = await grain.GetOffsetsAsync();
                    return new PartitionAnswer(error, offsets.LogEndOffset, offsets.LogStartOffset, ReadOnlyMemory<byte>.Empty);
                }
                catch (Exception again)
                {
                    error = context.ErrorOf(again);
                }
            }

            return new PartitionAnswer(error, -1, -1, ReadOnlyMemory<byte>.Empty);
        }
    }
}
