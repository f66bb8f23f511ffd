namespace Orka.Broker.Groups;

/// <summary>
/// Turns an <see cref="OffsetResetRequest"/> into the offsets to commit: earliest, latest, the first
/// offset at or after a timestamp (the log end when there is none), or an explicit offset, which
/// must lie in [log start, log end] (else OFFSET_OUT_OF_RANGE). Every partition is resolved before
/// anything is committed, so a refused reset moves nothing.
/// </summary>
/// <remarks>Costs one metadata call, then one or two partition calls per partition, in parallel.</remarks>
internal static class OffsetResetResolver
{
    /// <summary>The checks that need no other grain: topic name, kind, timestamp sign.</summary>
    public static void Validate(OffsetResetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Names.ValidateTopicName(request.Topic);
        if (!Enum.IsDefined(request.Kind))
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, $"Unknown offset reset kind {(int)request.Kind}.");
        }

        if (request.Kind == OffsetResetKind.Timestamp && request.Value < 0)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, $"Timestamp {request.Value} is negative; give milliseconds since the epoch.");
        }
    }

    /// <summary>The new offset of every partition named (all of the topic's when none is).</summary>
    public static async Task<CommittedOffset[]> ResolveAsync(IGrainFactory grains, OffsetResetRequest request)
    {
        var metadata = await grains.GetGrain<ITopicGrain>(request.Topic).GetMetadataAsync()
            ?? throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{request.Topic}' does not exist.");
        var numbers = request.Partitions.IsDefaultOrEmpty ? [.. Enumerable.Range(0, metadata.PartitionCount)] : request.Partitions;
        var unknown = numbers.Where(p => p < 0 || p >= metadata.PartitionCount).ToList();
        if (unknown.Count > 0)
        {
            throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition,
                $"Topic '{request.Topic}' has partitions 0 to {metadata.PartitionCount - 1}; {string.Join(", ", unknown)} is not one of them.");
        }

        return await Task.WhenAll(numbers.Distinct().Order().Select(async p =>
        {
            var tp = new TopicPartition(request.Topic, p);
            return new CommittedOffset(tp, await ResolveAsync(grains, tp, request));
        }));
    }

    private static async Task<long> ResolveAsync(IGrainFactory grains, TopicPartition tp, OffsetResetRequest request)
    {
        var partition = grains.GetPartitionGrain(tp);
        switch (request.Kind)
        {
            case OffsetResetKind.Earliest:
                return (await partition.GetOffsetsAsync()).LogStartOffset;
            case OffsetResetKind.Latest:
                return (await partition.GetOffsetsAsync()).LogEndOffset;
            case OffsetResetKind.Timestamp:
                var found = await partition.ListOffsetAsync(request.Value);
                return found >= 0 ? found : (await partition.GetOffsetsAsync()).LogEndOffset;
            default:
                var log = await partition.GetOffsetsAsync();
                if (request.Value < log.LogStartOffset || request.Value > log.LogEndOffset)
                {
                    throw new OrkaException(OrkaErrorCode.OffsetOutOfRange,
                        $"Offset {request.Value} is outside partition {tp}'s log [{log.LogStartOffset}, {log.LogEndOffset}].");
                }

                return request.Value;
        }
    }
}
