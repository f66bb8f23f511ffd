namespace Orka.Broker.Groups;

/// <summary>
/// Expiry of an empty group's committed offsets (Kafka ≥ 2.1, <see cref="OrkaGroupOptions.OffsetsRetention"/>):
/// each offset goes once the retention has passed since the later of its commit and the moment the
/// group became empty. A group with members, or one never empty, keeps everything.
/// </summary>
internal static class OffsetRetention
{
    /// <summary>Removes the expired offsets from <paramref name="state"/>; returns how many went.</summary>
    public static int Expire(ConsumerGroupState state, bool hasMembers, DateTimeOffset now, TimeSpan retention)
    {
        if (hasMembers || state.Offsets.Count == 0 || state.EmptySince is not { } emptySince)
        {
            return 0;
        }

        var expired = state.Offsets.Keys
            .Where(key => now - Max(emptySince, state.CommittedAt.GetValueOrDefault(key, emptySince)) >= retention)
            .ToList();
        foreach (var key in expired)
        {
            state.Offsets.Remove(key);
            state.CommittedAt.Remove(key);
        }

        return expired.Count;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
