using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Orka.Grains;

/// <summary>
/// A consumer group (key: the group id): Kafka's classic group protocol (JoinGroup, SyncGroup,
/// Heartbeat, LeaveGroup, DescribeGroups) and the group's committed offsets. Each method maps 1:1
/// onto a Kafka request, with Kafka's error codes (thrown as <see cref="OrkaException"/>).
/// </summary>
/// <remarks>
/// <see cref="JoinAsync"/> and <see cref="SyncAsync"/> are long polls. Orleans answers a call with a
/// timeout after 30 s by default, so neither waits longer than <c>ConsumerGroupGrain.MaxWait</c>
/// (20 s): when the rebalance is still under way then, they throw
/// <see cref="OrkaErrorCode.RebalanceInProgress"/> and the caller (the Kafka listener holds the
/// client's connection open) simply sends the same request again; the member keeps its place.
/// Membership lives in memory: if the group's grain restarts, members get UNKNOWN_MEMBER_ID and
/// rejoin, as with a Kafka coordinator failover. Committed offsets (with metadata) and the
/// generation counter are persisted; an empty group's offsets expire after
/// <c>Orka:Groups:OffsetsRetention</c>.
/// <para>Members joining with protocol type <c>orka</c> (the native consumer) get server-side
/// assignment: their protocols name an assignor (<c>range</c>, <c>roundrobin</c>, <c>sticky</c>),
/// their metadata is a consumer-protocol subscription (<see cref="ConsumerProtocolCodec"/>), and the
/// group computes every member's assignment when the join completes, going straight to Stable;
/// SyncGroup then just returns it. Any other protocol type (Kafka's <c>consumer</c>) keeps Kafka's
/// client-side assignment: the leader's SyncGroup carries everyone's assignment.</para>
/// </remarks>
[Alias("Orka.IConsumerGroupGrain")]
public interface IConsumerGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// A generation-less ("simple consumer") commit: allowed only while the group has no members.
    /// Otherwise refused as Kafka refuses it: UNKNOWN_MEMBER_ID, or REBALANCE_IN_PROGRESS while the
    /// group waits for its assignment.
    /// </summary>
    [Alias("Commit")]
    Task CommitAsync(ImmutableArray<CommittedOffset> offsets);

    /// <summary>
    /// Kafka's OffsetCommit from a group member: refused with ILLEGAL_GENERATION when
    /// <paramref name="generationId"/> is not the current one, UNKNOWN_MEMBER_ID when the member is
    /// not in the group, REBALANCE_IN_PROGRESS while the group waits for its assignment. A negative
    /// generation with an empty member id is a simple commit (see <see cref="CommitAsync(ImmutableArray{CommittedOffset})"/>).
    /// </summary>
    [Alias("CommitInGeneration")]
    Task CommitAsync(int generationId, string memberId, ImmutableArray<CommittedOffset> offsets);

    /// <summary>Committed offsets, all of them or those of one topic.</summary>
    [Alias("GetCommitted")]
    Task<ImmutableArray<CommittedOffset>> GetCommittedAsync(string? topic = null);

    /// <summary>
    /// Kafka's JoinGroup (v4+ semantics): answers once every known member has (re)joined or the
    /// rebalance timeout has passed (members that did not rejoin are removed).
    /// </summary>
    [Alias("Join"), AlwaysInterleave]
    Task<JoinGroupResult> JoinAsync(JoinGroupRequest request);

    /// <summary>
    /// Kafka's SyncGroup: the leader hands in every member's assignment; each member gets its own,
    /// followers once the leader's has arrived.
    /// </summary>
    [Alias("Sync"), AlwaysInterleave]
    Task<SyncGroupResult> SyncAsync(SyncGroupRequest request);

    /// <summary>
    /// Kafka's Heartbeat: keeps the member's session alive. REBALANCE_IN_PROGRESS tells the member to
    /// rejoin; ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID that it is fenced out.
    /// </summary>
    [Alias("Heartbeat")]
    Task HeartbeatAsync(int generationId, string memberId);

    /// <summary>Kafka's LeaveGroup for one member: removes it and starts a rebalance.</summary>
    [Alias("Leave")]
    Task LeaveAsync(string memberId);

    /// <summary>Kafka's DescribeGroups for this group.</summary>
    [Alias("Describe")]
    Task<GroupDescription> DescribeAsync();

    /// <summary>
    /// The group as <see cref="IClusterGrain.ListGroupsAsync"/> shows it, or null when the group holds
    /// no members, no pending joins and no offsets (it does not exist as far as Kafka is concerned).
    /// Never waits on other grains, so the cluster grain can ask while this group calls it.
    /// </summary>
    [Alias("GetListing"), AlwaysInterleave]
    Task<GroupListing?> GetListingAsync();

    /// <summary>
    /// Kafka's DeleteGroups: removes the group's committed offsets and state. Refused with
    /// NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when it has neither members nor offsets.
    /// </summary>
    [Alias("Delete")]
    Task DeleteAsync();

    /// <summary>
    /// Lag per partition for every partition of every topic the group has committed offsets in or
    /// is assigned: log end minus committed offset (minus the log start when nothing is committed).
    /// Asks each partition for its offsets, in parallel.
    /// </summary>
    [Alias("GetLag"), AlwaysInterleave]
    Task<ImmutableArray<PartitionLag>> GetLagAsync();

    /// <summary>
    /// Moves committed offsets in one topic; only while the group is Empty (else NON_EMPTY_GROUP: stop
    /// the consumers first). Earliest/latest/timestamp resolve against each partition's log; an
    /// explicit offset outside [log start, log end] is refused with OFFSET_OUT_OF_RANGE and nothing
    /// moves. Returns the offsets now committed for the partitions reset.
    /// </summary>
    [Alias("ResetOffsets")]
    Task<ImmutableArray<CommittedOffset>> ResetOffsetsAsync(OffsetResetRequest request);
}
