using System.Collections.Immutable;
using Orka.Broker.Metadata;

namespace Orka.Broker.Grains;

/// <summary>
/// A consumer group's committed offsets. (Membership, generations and assignment come with the
/// group protocol; until then every consumer of a group reads all partitions it is given.)
/// </summary>
internal sealed class ConsumerGroupGrain(
    [PersistentState("group", OrkaStorage.Name)] IPersistentState<ConsumerGroupState> state) : Grain, IConsumerGroupGrain
{
    public async Task CommitAsync(ImmutableArray<CommittedOffset> offsets)
    {
        Names.ValidateGroupId(this.GetPrimaryKeyString());
        foreach (var offset in offsets)
        {
            Names.ValidateTopicName(offset.Partition.Topic);
            if (offset.Partition.Partition < 0 || offset.Offset < 0)
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"Cannot commit offset {offset.Offset} for partition {offset.Partition}.");
            }
        }

        foreach (var offset in offsets)
        {
            state.State.Offsets[offset.Partition.ToGrainKey()] = offset;
        }

        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<CommittedOffset>> GetCommittedAsync(string? topic = null)
    {
        Names.ValidateGroupId(this.GetPrimaryKeyString());
        return Task.FromResult(state.State.Offsets.Values
            .Where(o => topic is null || o.Partition.Topic == topic)
            .OrderBy(o => o.Partition.Topic, StringComparer.Ordinal)
            .ThenBy(o => o.Partition.Partition)
            .ToImmutableArray());
    }
}
