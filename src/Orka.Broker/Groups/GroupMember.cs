using System.Collections.Immutable;

namespace Orka.Broker.Groups;

/// <summary>
/// One member of a classic consumer group, as its <see cref="ClassicGroup"/> tracks it in memory.
/// Mutated only by the group.
/// </summary>
internal sealed class GroupMember(string id)
{
    public string Id { get; } = id;

    public string ClientId { get; set; } = "";

    /// <summary>The protocols the member can run, most preferred first.</summary>
    public ImmutableArray<GroupProtocol> Protocols { get; set; } = [];

    public TimeSpan SessionTimeout { get; set; }

    public TimeSpan RebalanceTimeout { get; set; }

    /// <summary>When the member was last heard from (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastSeen { get; set; }

    /// <summary>Has (re)joined during the rebalance under way.</summary>
    public bool Joined { get; set; }

    /// <summary>Has sent SyncGroup for the generation waiting for its assignment.</summary>
    public bool Synced { get; set; }

    /// <summary>The ticket of the member's parked JoinGroup call, if one is waiting.</summary>
    public long? JoinTicket { get; set; }

    /// <summary>The ticket of the member's parked SyncGroup call, if one is waiting for the leader.</summary>
    public long? SyncTicket { get; set; }

    /// <summary>This generation's assignment from the leader; empty until it arrives.</summary>
    public ReadOnlyMemory<byte> Assignment { get; set; }

    /// <summary>A member with a parked call is alive however long the call waits (Kafka does the same).</summary>
    public bool IsWaiting => JoinTicket is not null || SyncTicket is not null;

    public bool Supports(string protocol) => Protocols.Any(p => p.Name == protocol);

    public ReadOnlyMemory<byte> MetadataFor(string protocol) =>
        Protocols.FirstOrDefault(p => p.Name == protocol)?.Metadata ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>Same protocols, same order, same metadata: a rejoin that changes nothing.</summary>
    public bool Matches(ImmutableArray<GroupProtocol> protocols) =>
        Protocols.Length == protocols.Length &&
        Protocols.Zip(protocols).All(p => p.First.Name == p.Second.Name && p.First.Metadata.Span.SequenceEqual(p.Second.Metadata.Span));
}
