namespace Orka;

/// <summary>One member's assignment as the leader computed it; opaque bytes to the broker.</summary>
[GenerateSerializer, Immutable, Alias("Orka.GroupAssignment")]
public sealed record GroupAssignment(
    [property: Id(0)] string MemberId,
    [property: Id(1)] ReadOnlyMemory<byte> Assignment);
