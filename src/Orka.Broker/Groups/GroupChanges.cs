namespace Orka.Broker.Groups;

/// <summary>
/// What a <see cref="ClassicGroup"/> event asks its host to do beyond answering the caller: answer
/// or fail parked JoinGroup/SyncGroup calls (by the ticket each was parked under) and persist.
/// </summary>
/// <remarks>
/// Must stay true when applying it: <see cref="Joins"/> are announced only after
/// <see cref="NewGeneration"/> has been persisted (a restarted group never hands out a generation
/// twice); <see cref="Failures"/> and <see cref="Syncs"/> can be delivered at once.
/// </remarks>
internal sealed class GroupChanges
{
    private readonly List<(long Ticket, JoinGroupResult Result)> _joins = [];
    private readonly List<(long Ticket, SyncGroupResult Result)> _syncs = [];
    private readonly List<(long Ticket, OrkaException Error)> _failures = [];

    /// <summary>Parked joins answered by a new generation.</summary>
    public IReadOnlyList<(long Ticket, JoinGroupResult Result)> Joins => _joins;

    /// <summary>Parked syncs answered by the leader's assignments.</summary>
    public IReadOnlyList<(long Ticket, SyncGroupResult Result)> Syncs => _syncs;

    /// <summary>Parked joins or syncs that fail: replaced, removed member, rebalance started.</summary>
    public IReadOnlyList<(long Ticket, OrkaException Error)> Failures => _failures;

    /// <summary>The generation started by this event, to persist before <see cref="Joins"/> are told; null if none.</summary>
    public int? NewGeneration { get; private set; }

    /// <summary>True: the group lost its last member; false: it got its first; null: neither. Persist either way.</summary>
    public bool? BecameEmpty { get; private set; }

    public void Answer(long ticket, JoinGroupResult result) => _joins.Add((ticket, result));

    public void Answer(long ticket, SyncGroupResult result) => _syncs.Add((ticket, result));

    public void Fail(long ticket, OrkaException error) => _failures.Add((ticket, error));

    public void StartedGeneration(int generation) => NewGeneration = generation;

    public void EmptyChanged(bool empty) => BecameEmpty = empty;
}
