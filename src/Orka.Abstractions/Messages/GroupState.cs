namespace Orka;

/// <summary>The states of a classic consumer group, as Kafka's group coordinator names them.</summary>
[GenerateSerializer, Alias("Orka.GroupState")]
public enum GroupState
{
    /// <summary>No members; may still hold committed offsets. Generation-less commits are allowed.</summary>
    Empty = 0,

    /// <summary>Waiting for every member to (re)join before the next generation starts.</summary>
    PreparingRebalance = 1,

    /// <summary>A generation has started; waiting for the leader's assignment (SyncGroup).</summary>
    CompletingRebalance = 2,

    /// <summary>Every member has its assignment; members heartbeat.</summary>
    Stable = 3,

    /// <summary>
    /// The group does not exist: it never had a member or a commit, or it was deleted, or its offsets
    /// expired. DescribeGroups answers this for such a group, as Kafka's classic coordinator does;
    /// a join creates the group again.
    /// </summary>
    Dead = 4,
}
