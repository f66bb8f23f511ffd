using System.Collections.Immutable;
using Orka.Client;

namespace Orka.Broker.Tests;

/// <summary>
/// Group administration through <see cref="OrkaAdmin"/>: the cluster's group list, delete, lag and
/// offset resets, and that refused requests change nothing.
/// </summary>
[Collection(nameof(ClusterCollection))]
public sealed class GroupAdminTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private OrkaAdmin Admin => new(fixture.Cluster.Client);

    private static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A new topic of <paramref name="partitions"/> partitions (offsets are committed only for partitions that exist).</summary>
    private async Task<string> NewTopicAsync(int partitions)
    {
        var topic = NewName("t");
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, partitions));
        return topic;
    }

    // Intent: groups appear in the list once they have a member or a commit, with state and protocol type; deleted ones vanish.
    [Fact]
    public async Task ListGroups_MemberOrCommit_ListedWithStateUntilDeleted()
    {
        var committing = NewName("listed-commit");
        var joining = NewName("listed-member");
        var untouched = NewName("listed-never");
        await Group(committing).CommitAsync([new CommittedOffset(new TopicPartition(await NewTopicAsync(1), 0), 3)]);
        var member = await JoinAloneAsync(Group(joining), []);
        await Group(untouched).DescribeAsync();

        var listed = (await Admin.ListGroupsAsync()).ToDictionary(g => g.GroupId);

        Assert.Equal((GroupState.Empty, ""), (listed[committing].State, listed[committing].ProtocolType));
        Assert.Equal((GroupState.Stable, "consumer"), (listed[joining].State, listed[joining].ProtocolType));
        Assert.DoesNotContain(untouched, listed.Keys);

        await Group(joining).LeaveAsync(member.MemberId);
        await Admin.DeleteGroupAsync(committing);
        var after = (await Admin.ListGroupsAsync()).Select(g => g.GroupId).ToList();
        Assert.DoesNotContain(committing, after);
        Assert.DoesNotContain(joining, after); // no members and no offsets left: gone
    }

    // Intent: deleting an empty group with offsets removes them; a later describe says it does not exist.
    [Fact]
    public async Task DeleteGroup_EmptyWithOffsets_OffsetsGoneAndDescribeSaysNotFound()
    {
        var id = NewName("delete");
        var topic = await NewTopicAsync(2);
        await Group(id).CommitAsync([new CommittedOffset(new TopicPartition(topic, 0), 3), new CommittedOffset(new TopicPartition(topic, 1), 4)]);

        await Admin.DeleteGroupAsync(id);

        Assert.Empty(await Group(id).GetCommittedAsync());
        Assert.Equal(GroupState.Dead, (await Group(id).DescribeAsync()).State);
        Assert.Equal(OrkaErrorCode.GroupIdNotFound, (await Assert.ThrowsAsync<OrkaException>(() => Admin.DescribeGroupAsync(id))).Code);
        Assert.Equal(OrkaErrorCode.GroupIdNotFound, (await Assert.ThrowsAsync<OrkaException>(() => Admin.DeleteGroupAsync(id))).Code);
    }

    // Intent: a group with members cannot be deleted; an unknown one is GROUP_ID_NOT_FOUND; both change nothing.
    [Fact]
    public async Task DeleteGroup_WithMembersOrUnknown_RefusedAndNothingChanges()
    {
        var id = NewName("delete-busy");
        var partition = new TopicPartition(await NewTopicAsync(1), 0);
        var member = await JoinAloneAsync(Group(id), []);
        await Group(id).CommitAsync(member.GenerationId, member.MemberId, [new CommittedOffset(partition, 9)]);

        var busy = await Assert.ThrowsAsync<OrkaException>(() => Admin.DeleteGroupAsync(id));
        Assert.Equal(OrkaErrorCode.NonEmptyGroup, busy.Code);
        Assert.Equal([new CommittedOffset(partition, 9)], (await Group(id).GetCommittedAsync()).ToArray());
        Assert.Equal(GroupState.Stable, (await Group(id).DescribeAsync()).State);

        var unknown = NewName("delete-unknown");
        Assert.Equal(OrkaErrorCode.GroupIdNotFound, (await Assert.ThrowsAsync<OrkaException>(() => Admin.DeleteGroupAsync(unknown))).Code);
        Assert.DoesNotContain(unknown, (await Admin.ListGroupsAsync()).Select(g => g.GroupId));
    }

    // Intent: lag is log end minus committed per partition, from the log start where nothing is committed, with the owning member.
    [Fact]
    public async Task GroupLag_SomeCommitted_EqualsProducedMinusCommitted()
    {
        var topic = NewName("lagged");
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 3));
        var produced = new[] { 5, 3, 0 };
        for (var p = 0; p < 3; p++)
        {
            if (produced[p] > 0)
            {
                await Partition(topic, p).ProduceAsync(Batches.Of([.. Enumerable.Range(0, produced[p]).Select(i => $"r{i}")]), Acks.All);
            }
        }

        var id = NewName("lag");
        var member = await JoinAloneAsync(Group(id), [new TopicPartition(topic, 0), new TopicPartition(topic, 2)]);
        await Group(id).CommitAsync(member.GenerationId, member.MemberId, [new CommittedOffset(new TopicPartition(topic, 0), 2)]);

        var lag = await Admin.GetGroupLagAsync(id);

        Assert.Equal(
            [
                new PartitionLag(new TopicPartition(topic, 0), 2, 5, 3, member.MemberId),
                new PartitionLag(new TopicPartition(topic, 1), -1, 3, 3, null),
                new PartitionLag(new TopicPartition(topic, 2), -1, 0, 0, member.MemberId),
            ],
            lag.ToArray());
    }

    // Intent: reset to earliest, latest, a timestamp and an explicit offset moves the committed offsets there.
    [Fact]
    public async Task ResetOffsets_EachKind_CommitsResolvedOffsets()
    {
        var topic = NewName("reset");
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 2));
        for (var p = 0; p < 2; p++)
        {
            await Partition(topic, p).ProduceAsync(Batches.At(1_000, "a", "b"), Acks.All);
            await Partition(topic, p).ProduceAsync(Batches.At(2_000, "c", "d"), Acks.All);
        }

        var id = NewName("reset");
        var all = ImmutableArray<int>.Empty;
        var cases = new (OffsetResetRequest Request, long[] Expected)[]
        {
            (new(topic, all, OffsetResetKind.Latest), [4, 4]),
            (new(topic, all, OffsetResetKind.Earliest), [0, 0]),
            (new(topic, all, OffsetResetKind.Timestamp, 1_500), [2, 2]),
            (new(topic, all, OffsetResetKind.Timestamp, 9_000), [4, 4]),
            (new(topic, [1], OffsetResetKind.Offset, 3), [4, 3]),
        };
        foreach (var (request, expected) in cases)
        {
            var answered = await Admin.ResetGroupOffsetsAsync(id, request);
            var committed = (await Group(id).GetCommittedAsync()).Select(c => c.Offset).ToArray();
            Assert.True(expected.SequenceEqual(committed), $"{request.Kind} {request.Value}: committed [{string.Join(",", committed)}]");
            Assert.All(answered, a => Assert.Equal(expected[a.Partition.Partition], a.Offset));
        }

        Assert.Contains(id, (await Admin.ListGroupsAsync()).Select(g => g.GroupId));
    }

    // Intent: a reset of a group with members, to an offset outside the log, of an unknown topic or partition is refused and moves nothing.
    [Fact]
    public async Task ResetOffsets_BadRequests_RefusedWithSpecificCodesNothingMoves()
    {
        var topic = NewName("reset-bad");
        await fixture.Grains.GetGrain<ITopicGrain>(topic).CreateAsync(new TopicSpec(topic, 1));
        await Partition(topic, 0).ProduceAsync(Batches.Of("a", "b", "c"), Acks.All);
        var id = NewName("reset-bad");
        var start = ImmutableArray.Create(new CommittedOffset(new TopicPartition(topic, 0), 1));
        await Group(id).CommitAsync(start);

        var cases = new (OffsetResetRequest Request, OrkaErrorCode Code)[]
        {
            (new(topic, [], OffsetResetKind.Offset, 4), OrkaErrorCode.OffsetOutOfRange),
            (new(topic, [], OffsetResetKind.Offset, -1), OrkaErrorCode.OffsetOutOfRange),
            (new(topic, [1], OffsetResetKind.Earliest), OrkaErrorCode.UnknownTopicOrPartition),
            (new(NewName("no-such-topic"), [], OffsetResetKind.Earliest), OrkaErrorCode.UnknownTopicOrPartition),
            (new("bad/topic", [], OffsetResetKind.Earliest), OrkaErrorCode.InvalidTopic),
            (new(topic, [], OffsetResetKind.Timestamp, -5), OrkaErrorCode.InvalidRequest),
            (new(topic, [], (OffsetResetKind)42), OrkaErrorCode.InvalidRequest),
        };
        foreach (var (request, code) in cases)
        {
            var e = await Assert.ThrowsAsync<OrkaException>(() => Admin.ResetGroupOffsetsAsync(id, request));
            Assert.Equal(code, e.Code);
            Assert.Equal(start.ToArray(), (await Group(id).GetCommittedAsync()).ToArray());
        }

        // With a member in the group, not even a valid reset goes through.
        var member = await JoinAloneAsync(Group(id), []);
        var busy = await Assert.ThrowsAsync<OrkaException>(() => Admin.ResetGroupOffsetsAsync(id, new(topic, [], OffsetResetKind.Earliest)));
        Assert.Equal(OrkaErrorCode.NonEmptyGroup, busy.Code);
        Assert.Contains("Stop its consumers", busy.Message, StringComparison.Ordinal);
        Assert.Equal(start.ToArray(), (await Group(id).GetCommittedAsync()).ToArray());
        await Group(id).LeaveAsync(member.MemberId);
    }

    // Intent: an invalid group id is refused with INVALID_GROUP_ID by every admin call and no group appears.
    [Fact]
    public async Task GroupAdmin_InvalidGroupId_RefusedWithInvalidGroupId()
    {
        var before = await Admin.ListGroupsAsync();
        foreach (var bad in new[] { "", "tab\there", new string('g', Names.MaxGroupIdLength + 1) })
        {
            var calls = new List<Func<Task>>
            {
                () => Admin.DescribeGroupAsync(bad),
                () => Admin.GetGroupLagAsync(bad),
                () => Admin.DeleteGroupAsync(bad),
                () => Admin.ResetGroupOffsetsAsync(bad, new OffsetResetRequest("t", [], OffsetResetKind.Earliest)),
            };
            if (bad.Length > 0)
            {
                // Orleans itself refuses an empty grain key; any other reaches the grain, which checks it.
                calls.Add(() => Group(bad).ResetOffsetsAsync(new OffsetResetRequest("t", [], OffsetResetKind.Earliest)));
                calls.Add(() => Group(bad).DeleteAsync());
                calls.Add(() => Group(bad).GetLagAsync());
                calls.Add(() => Group(bad).CommitAsync([new CommittedOffset(new TopicPartition("t", 0), 1)]));
            }

            foreach (var call in calls)
            {
                Assert.Equal(OrkaErrorCode.InvalidGroupId, (await Assert.ThrowsAsync<OrkaException>(call)).Code);
            }
        }

        // Nothing new was registered (the list can only have lost groups that emptied meanwhile).
        var after = await Admin.ListGroupsAsync();
        Assert.Subset(before.Select(g => g.GroupId).ToHashSet(), after.Select(g => g.GroupId).ToHashSet());
    }

    // Intent: consumer-protocol assignments survive the codec and unreadable bytes are refused.
    [Fact]
    public void ConsumerProtocolCodec_RoundTripsAndRefusesGarbage()
    {
        ImmutableArray<TopicPartition> partitions = [new("b", 1), new("a", 2), new("a", 0)];
        Assert.True(ConsumerProtocolCodec.TryDecodeAssignment(ConsumerProtocolCodec.EncodeAssignment(partitions), out var decoded));
        Assert.Equal([new("a", 0), new("a", 2), new("b", 1)], decoded.ToArray());

        var subscription = new ConsumerSubscription(["x", "y"], [new("x", 3)], 7);
        Assert.True(ConsumerProtocolCodec.TryDecodeSubscription(ConsumerProtocolCodec.EncodeSubscription(subscription), out var read));
        Assert.Equal(["x", "y"], read.Topics.ToArray());
        Assert.Equal([new TopicPartition("x", 3)], read.OwnedPartitions.ToArray());
        Assert.Equal(7, read.GenerationId);

        Assert.False(ConsumerProtocolCodec.TryDecodeAssignment(new byte[] { 0, 0, 0, 0, 0, 9 }, out _));
        Assert.False(ConsumerProtocolCodec.TryDecodeSubscription(new byte[] { 0 }, out _));
    }

    private IConsumerGroupGrain Group(string id) => fixture.Grains.GetGrain<IConsumerGroupGrain>(id);

    private IPartitionGrain Partition(string topic, int p) => fixture.Grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey());

    /// <summary>A one-member Kafka-protocol group whose leader assigns itself <paramref name="partitions"/>.</summary>
    private static async Task<JoinGroupResult> JoinAloneAsync(IConsumerGroupGrain group, ImmutableArray<TopicPartition> partitions)
    {
        JoinGroupRequest Join(string id) => new(id, "admin-test", "consumer", [new GroupProtocol("range", ConsumerProtocolCodec.EncodeSubscription(new([], [])))],
            TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        var id = (await group.JoinAsync(Join(""))).MemberId;
        var joined = await group.JoinAsync(Join(id)).WaitAsync(Bound);
        await group.SyncAsync(new SyncGroupRequest(joined.GenerationId, id, [new GroupAssignment(id, ConsumerProtocolCodec.EncodeAssignment(partitions))])).WaitAsync(Bound);
        return joined;
    }
}
