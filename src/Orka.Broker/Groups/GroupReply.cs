namespace Orka.Broker.Groups;

/// <summary>
/// A <see cref="ClassicGroup"/> answer to a JoinGroup or SyncGroup: either <see cref="Answer"/> now,
/// or the call is parked under <see cref="Ticket"/> and answered later through a
/// <see cref="GroupChanges"/> naming that ticket. <see cref="Changes"/> are due either way.
/// </summary>
internal sealed record GroupReply<TResult>(TResult? Answer, long? Ticket, GroupChanges Changes)
    where TResult : class;
