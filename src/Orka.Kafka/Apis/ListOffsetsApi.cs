using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// ListOffsets (key 2) v1-7: -2 gives the log start offset, -1 the log end offset (also the last
/// stable offset: there are no transactions), a timestamp the first offset whose record timestamp
/// is at least it (-1 when there is none). The answer's timestamp field is -1: the partition grain
/// answers with an offset only. -3 (max timestamp, v7) is refused with INVALID_REQUEST.
/// </summary>
public sealed class ListOffsetsApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.ListOffsets;

    public override short MinVersion => 1;

    public override short MaxVersion => 7;

    public override short FirstFlexibleVersion => 6;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        _ = request.ReadInt32(); // replica id
        if (version >= 2)
        {
            _ = request.ReadInt8(); // isolation level
        }

        var topics = request.ReadArray(r =>
        {
            var name = r.ReadString();
            var partitions = r.ReadArray(rp =>
            {
                var index = rp.ReadInt32();
                if (version >= 4)
                {
                    _ = rp.ReadInt32(); // current leader epoch
                }

                var timestamp = rp.ReadInt64();
                rp.SkipTaggedFields();
                return (Index: index, Timestamp: timestamp);
            });
            r.SkipTaggedFields();
            return (Name: name, Partitions: partitions);
        });
        request.SkipTaggedFields();

        var answers = new List<(string Name, Task<(int Index, OrkaErrorCode Error, long Offset)>[] Partitions)>();
        foreach (var topic in topics)
        {
            var metadata = Names.TopicNameError(topic.Name) is null ? await context.Topics.GetAsync(topic.Name) : null;
            answers.Add((topic.Name, topic.Partitions.Select(p => ListAsync(topic.Name, metadata, p.Index, p.Timestamp)).ToArray()));
        }

        await Task.WhenAll(answers.SelectMany(a => a.Partitions));
        if (version >= 2)
        {
            response.WriteInt32(0); // throttle
        }

        response.WriteArrayLength(answers.Count);
        foreach (var (name, partitions) in answers)
        {
            response.WriteString(name);
            response.WriteArrayLength(partitions.Length);
            foreach (var task in partitions)
            {
                var (index, error, offset) = await task; // already complete
                response.WriteInt32(index);
                response.WriteInt16((short)error);
                response.WriteInt64(-1); // timestamp
                response.WriteInt64(offset);
                if (version >= 4)
                {
                    response.WriteInt32(-1); // leader epoch
                }

                response.WriteEmptyTaggedFields();
            }

            response.WriteEmptyTaggedFields();
        }

        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(int Index, OrkaErrorCode Error, long Offset)> ListAsync(string topic, TopicMetadata? metadata, int index, long timestamp)
    {
        var leadership = context.LeadershipError(metadata, index);
        if (leadership != OrkaErrorCode.None)
        {
            return (index, leadership, -1);
        }

        if (timestamp < OffsetSpec.Earliest)
        {
            return (index, OrkaErrorCode.InvalidRequest, -1);
        }

        try
        {
            var offset = await context.Grains.GetPartitionGrain(topic, index).ListOffsetAsync(timestamp);
            return (index, OrkaErrorCode.None, offset);
        }
        catch (Exception e)
        {
            return (index, context.ErrorOf(e), -1);
        }
    }
}
