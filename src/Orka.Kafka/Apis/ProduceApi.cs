using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// Produce (key 0) v3-9. Each partition's records go to its partition grain exactly as sent (the
/// log assigns the base offset and validates every batch's CRC; a bad batch fails the partition
/// with CORRUPT_MESSAGE and nothing of it is appended). Partitions of one request are appended in
/// parallel. With acks=0 Kafka sends no response, and neither does this.
/// </summary>
public sealed class ProduceApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.Produce;

    public override short MinVersion => 3;

    public override short MaxVersion => 9;

    public override short FirstFlexibleVersion => 9;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
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

        var results = new List<(string Name, List<Task<(int Index, OrkaErrorCode Error, long BaseOffset, long LogStart)>> Partitions)>();
        foreach (var topic in topics)
        {
            var metadata = Names.TopicNameError(topic.Name) is null ? await context.Topics.GetAsync(topic.Name) : null;
            results.Add((topic.Name, topic.Partitions.Select(p => ProduceAsync(topic.Name, metadata, p.Index, p.Records, acks, transactionalId)).ToList()));
        }

        await Task.WhenAll(results.SelectMany(r => r.Partitions));
        if (acks == 0)
        {
            return false;
        }

        response.WriteArrayLength(results.Count);
        foreach (var (name, partitions) in results)
        {
            response.WriteString(name);
            response.WriteArrayLength(partitions.Count);
            foreach (var task in partitions)
            {
                var (index, error, baseOffset, logStart) = await task; // already complete
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
        return true;
    }

    private async Task<(int Index, OrkaErrorCode Error, long BaseOffset, long LogStart)> ProduceAsync(
        string topic, TopicMetadata? metadata, int index, ReadOnlyMemory<byte>? records, short acks, string? transactionalId)
    {
        if (transactionalId is not null)
        {
            return (index, OrkaErrorCode.TransactionalIdAuthorizationFailed, -1, -1); // no transactions in Orka
        }

        if (acks is not (0 or 1 or -1))
        {
            return (index, OrkaErrorCode.InvalidRequiredAcks, -1, -1);
        }

        var leadership = context.LeadershipError(metadata, index);
        if (leadership != OrkaErrorCode.None)
        {
            return (index, leadership, -1, -1);
        }

        if (records is not { Length: > 0 } batches)
        {
            return (index, OrkaErrorCode.CorruptMessage, -1, -1);
        }

        try
        {
            var result = await context.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, index).ToGrainKey())
                .ProduceAsync(batches, (Acks)acks);
            return (index, OrkaErrorCode.None, result.BaseOffset, result.LogStartOffset);
        }
        catch (Exception e)
        {
            var error = context.ErrorOf(e);
            if (error == OrkaErrorCode.UnknownTopicOrPartition)
            {
                context.Topics.Invalidate(topic);
            }

            return (index, error, -1, -1);
        }
    }
}
