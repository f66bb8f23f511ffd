namespace Orka.Gateway.Contracts;

/// <summary>
/// Body of <c>POST /api/groups/{groupId}/offsets/reset</c>: move the committed offsets of one topic
/// (all its partitions, or those listed) to the earliest or latest offset, the first offset at a
/// timestamp (<see cref="Value"/> in Unix ms) or an exact offset (<see cref="Value"/>). The group
/// must be empty.
/// </summary>
public sealed record ResetOffsetsRequest(string Topic, OffsetResetKind Kind, int[]? Partitions = null, long Value = 0);
