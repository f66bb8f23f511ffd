namespace Orka.Gateway.Contracts;

/// <summary>A consumer group in the list: state, protocol type, member count and total lag.</summary>
public sealed record GroupListItem(string GroupId, GroupState State, string ProtocolType, int Members, long TotalLag);
