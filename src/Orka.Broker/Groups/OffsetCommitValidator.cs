using System.Collections.Immutable;
using System.Text;

namespace Orka.Broker.Groups;

/// <summary>
/// What an offset commit must satisfy before a group stores it, whichever surface sent it (native
/// client, Kafka OffsetCommit, gateway): valid topic names, non-negative partitions and offsets, at
/// most <see cref="OrkaGroupOptions.MaxPartitionsPerCommit"/> partitions, metadata of at most
/// <see cref="OrkaGroupOptions.OffsetMetadataMaxBytes"/> UTF-8 bytes (OFFSET_METADATA_TOO_LARGE), and
/// only partitions of topics that exist (UNKNOWN_TOPIC_OR_PARTITION, as Kafka answers). A failing
/// check refuses the whole commit.
/// </summary>
/// <remarks>
/// Costs one topic-metadata call per distinct topic in the commit, made in turn. The group's offsets are on the
/// metadata disk every node shares, so they must stay bounded by the partitions that exist.
/// </remarks>
internal static class OffsetCommitValidator
{
    public static async Task ValidateAsync(IGrainFactory grains, OrkaGroupOptions options, ImmutableArray<CommittedOffset> offsets)
    {
        if (offsets.Length > options.MaxPartitionsPerCommit)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest,
                $"A commit names {offsets.Length} partitions; the limit is {options.MaxPartitionsPerCommit} (Orka:Groups:MaxPartitionsPerCommit).");
        }

        foreach (var offset in offsets)
        {
            Names.ValidateTopicName(offset.Partition.Topic);
            if (offset.Partition.Partition < 0 || offset.Offset < 0)
            {
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"Cannot commit offset {offset.Offset} for partition {offset.Partition}.");
            }

            if (offset.Metadata is { } metadata && Encoding.UTF8.GetByteCount(metadata) > options.OffsetMetadataMaxBytes)
            {
                throw new OrkaException(OrkaErrorCode.OffsetMetadataTooLarge,
                    $"The metadata committed for {offset.Partition} is {Encoding.UTF8.GetByteCount(metadata)} bytes; the limit is {options.OffsetMetadataMaxBytes} (Orka:Groups:OffsetMetadataMaxBytes).");
            }
        }

        // One topic at a time, stopping at the first that is missing: a commit naming thousands of
        // made-up topics costs one topic grain activation, not thousands.
        var partitionCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in offsets.Select(o => o.Partition.Topic).Distinct(StringComparer.Ordinal))
        {
            partitionCounts[topic] = (await grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync())?.PartitionCount
                ?? throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Cannot commit offsets for topic '{topic}': it does not exist.");
        }

        foreach (var offset in offsets)
        {
            if (offset.Partition.Partition >= partitionCounts[offset.Partition.Topic])
            {
                throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition,
                    $"Cannot commit an offset for {offset.Partition}: topic '{offset.Partition.Topic}' has {partitionCounts[offset.Partition.Topic]} partitions.");
            }
        }
    }
}
