namespace Orka.Gateway.Contracts;

/// <summary>
/// A consumer group: state, generation, members with their assignments, and per partition the
/// committed offset, log end and lag (committed -1: nothing committed, lag counted from the log start;
/// log end and lag -1: the partition's node is down). <see cref="LagAt"/> is when the lag was read:
/// the console draws it as the lag chart's newest point, so the chart, the total and the table agree.
/// </summary>
public sealed record GroupDetails(
    string GroupId,
    GroupState State,
    string ProtocolType,
    string ProtocolName,
    int GenerationId,
    string LeaderId,
    IReadOnlyList<GroupMemberView> Members,
    IReadOnlyList<GroupOffsetView> Offsets,
    long TotalLag,
    DateTimeOffset LagAt);
