using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// DeleteRecords (key 21) v0-2: moves each partition's log start offset forward through its
/// partition grain (offset -1 means the high watermark). Sent to the partition's leader, as in Kafka.
/// </summary>
public sealed class DeleteRecordsApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.DeleteRecords;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    public override short FirstFlexibleVersion => 2;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var topics = request.ReadArray(r =>
        {
            var name = r.ReadString();
            var partitions = r.ReadArray(rp =>
            {
                var index = rp.ReadInt32();
                var offset = rp.ReadInt64();
                rp.SkipTaggedFields();
                return (Index: index, Offset: offset);
            });
            r.SkipTaggedFields();
            return (Name: name, Partitions: partitions);
        });
        _ = request.ReadInt32(); // timeout
        request.SkipTaggedFields();

        var results = new List<(string Name, Task<(int Index, long LowWatermark, OrkaErrorCode Error)>[] Partitions)>();
        foreach (var topic in topics)
        {
            var metadata = Names.TopicNameError(topic.Name) is null ? await context.Topics.GetAsync(topic.Name) : null;
            results.Add((topic.Name, topic.Partitions.Select(p => DeleteAsync(topic.Name, metadata, p.Index, p.Offset)).ToArray()));
        }

        await Task.WhenAll(results.SelectMany(r => r.Partitions));
        response.WriteInt32(0); // throttle
        response.WriteArrayLength(results.Count);
        foreach (var (name, partitions) in results)
        {
            response.WriteString(name);
            response.WriteArrayLength(partitions.Length);
            foreach (var task in partitions)
            {
                var (index, lowWatermark, error) = await task; // already complete
                response.WriteInt32(index);
                response.WriteInt64(lowWatermark);
                response.WriteInt16((short)error);
                response.WriteEmptyTaggedFields();
            }

            response.WriteEmptyTaggedFields();
        }

        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(int Index, long LowWatermark, OrkaErrorCode Error)> DeleteAsync(string topic, TopicMetadata? metadata, int index, long offset)
    {
        var leadership = context.LeadershipError(metadata, index);
        if (leadership != OrkaErrorCode.None)
        {
            return (index, -1, leadership);
        }

        if (offset < -1)
        {
            return (index, -1, OrkaErrorCode.OffsetOutOfRange);
        }

        try
        {
            var start = await context.Grains.GetPartitionGrain(topic, index).DeleteRecordsAsync(offset);
            return (index, start, OrkaErrorCode.None);
        }
        catch (Exception e)
        {
            return (index, -1, context.ErrorOf(e));
        }
    }
}
