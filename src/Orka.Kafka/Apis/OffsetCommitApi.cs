using System.Collections.Immutable;
using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>
/// OffsetCommit (key 8) v2-8, mapped onto <see cref="IConsumerGroupGrain.CommitAsync(int, string, ImmutableArray{CommittedOffset})"/>:
/// a member's commit is checked against the group's generation; generation -1 with an empty member
/// id is a simple (group-less) commit. The grain accepts or refuses the whole commit, so every
/// partition carries the same error.
/// </summary>
public sealed class OffsetCommitApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.OffsetCommit;

    public override short MinVersion => 2;

    public override short MaxVersion => 8;

    public override short FirstFlexibleVersion => 8;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        var version = header.ApiVersion;
        var groupId = request.ReadString();
        var generation = request.ReadInt32();
        var memberId = request.ReadString();
        if (version >= 7)
        {
            _ = request.ReadNullableString(); // group instance id
        }

        if (version <= 4)
        {
            _ = request.ReadInt64(); // retention time
        }

        var topics = request.ReadArray(r =>
        {
            var name = r.ReadString();
            var partitions = r.ReadArray(rp =>
            {
                var index = rp.ReadInt32();
                var offset = rp.ReadInt64();
                if (version >= 6)
                {
                    _ = rp.ReadInt32(); // leader epoch
                }

                var metadata = rp.ReadNullableString();
                rp.SkipTaggedFields();
                return (Index: index, Offset: offset, Metadata: metadata);
            });
            r.SkipTaggedFields();
            return (Name: name, Partitions: partitions);
        });
        request.SkipTaggedFields();

        var error = OrkaErrorCode.None;
        try
        {
            if (!GroupErrors.IsValidGroupId(groupId))
            {
                throw new OrkaException(OrkaErrorCode.InvalidGroupId, $"'{groupId}' is not a valid group id.");
            }

            var offsets = topics.SelectMany(t => t.Partitions.Select(p => new CommittedOffset(new TopicPartition(t.Name, p.Index), p.Offset, p.Metadata))).ToImmutableArray();
            if (!offsets.IsEmpty)
            {
                await context.Grains.GetGrain<IConsumerGroupGrain>(groupId).CommitAsync(generation, memberId, offsets);
            }
        }
        catch (Exception e)
        {
            error = context.ErrorOf(e);
        }

        if (version >= 3)
        {
            response.WriteInt32(0); // throttle
        }
        response.WriteArray(topics, (w, t) =>
        {
            w.WriteString(t.Name);
            w.WriteArray(t.Partitions, (wp, p) =>
            {
                wp.WriteInt32(p.Index);
                wp.WriteInt16((short)error);
                wp.WriteEmptyTaggedFields();
            });
            w.WriteEmptyTaggedFields();
        });
        response.WriteEmptyTaggedFields();
        return true;
    }
}
