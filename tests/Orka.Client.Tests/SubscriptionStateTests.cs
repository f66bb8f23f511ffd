using Orka.Client.Consumer;

namespace Orka.Client.Tests;

public sealed class SubscriptionStateTests
{
    private static readonly TopicPartition P0 = new("subscribed", 0);
    private static readonly TopicPartition P1 = new("subscribed", 1);

    // Intent: auto-commit commits the positions of the assigned partitions the application has moved past.
    [Fact]
    public void SubscriptionState_PositionsMoved_AutoCommitsThem()
    {
        var state = Assigned((P0, 5), (P1, 9));

        var offsets = state.OffsetsToAutoCommit();

        Assert.Equal([(P0, 5L), (P1, 9L)], offsets.Select(o => (o.Partition, o.Offset)).OrderBy(o => o.Partition.Partition));
    }

    // Intent: the record being processed is not yet done, so auto-commit commits its own offset, not the position past it.
    [Fact]
    public void SubscriptionState_RecordInFlight_AutoCommitsItsOwnOffset()
    {
        var state = Assigned((P0, 6));
        state.InFlight = (P0, 5);

        var offset = Assert.Single(state.OffsetsToAutoCommit());

        Assert.Equal(5, offset.Offset);
    }

    // Intent: an offset equal to the last one committed is not written again.
    [Fact]
    public void SubscriptionState_OffsetUnchangedSinceCommit_NotCommittedAgain()
    {
        var state = Assigned((P0, 5), (P1, 9));
        state.Committed([new CommittedOffset(P0, 5)]);

        var offset = Assert.Single(state.OffsetsToAutoCommit());

        Assert.Equal(P1, offset.Partition);
    }

    // Intent: when the application committed past its in-flight record itself, auto-commit does not move the commit back.
    [Fact]
    public void SubscriptionState_ApplicationCommittedPastInFlightRecord_CommitStands()
    {
        var state = Assigned((P0, 6));
        state.Committed([new CommittedOffset(P0, 6)]);
        state.InFlight = (P0, 5);

        Assert.Empty(state.OffsetsToAutoCommit());
    }

    // Intent: a revoked partition loses its position and its commit record, so a later owner starts from the group's offsets and commits afresh.
    [Fact]
    public void SubscriptionState_PartitionRevoked_DropsPositionAndCommitRecord()
    {
        var state = Assigned((P0, 5), (P1, 9));
        state.Committed([new CommittedOffset(P0, 5)]);
        state.Paused.Add(P0);

        var gone = state.SetAssignment([P1]);

        Assert.Equal([P0], gone);
        Assert.False(state.Positions.ContainsKey(P0));
        Assert.Empty(state.Paused);
        state.SetAssignment([P0, P1]);
        state.Positions[P0] = 5;
        Assert.Contains(state.OffsetsToAutoCommit(), o => o.Partition == P0 && o.Offset == 5);
    }

    // Intent: only assigned partitions without a position are looked up, and a consumer with every position known gets null (no allocation per turn).
    [Fact]
    public void SubscriptionState_MissingPositions_OnlyUnknownAssignedPartitions()
    {
        var state = Assigned((P0, 5));
        Assert.Null(state.MissingPositions());

        state.SetAssignment([P0, P1]);

        Assert.Equal([P1], state.MissingPositions());
    }

    private static SubscriptionState Assigned(params (TopicPartition Partition, long Position)[] positions)
    {
        var state = new SubscriptionState();
        state.SetAssignment(positions.Select(p => p.Partition));
        foreach (var (partition, position) in positions)
        {
            state.Positions[partition] = position;
        }

        return state;
    }
}
