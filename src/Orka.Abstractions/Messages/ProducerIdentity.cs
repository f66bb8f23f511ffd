namespace Orka;

/// <summary>An idempotent producer's id and epoch, stamped on every batch it sends.</summary>
[GenerateSerializer, Immutable, Alias("Orka.ProducerIdentity")]
public sealed record ProducerIdentity(
    [property: Id(0)] long ProducerId,
    [property: Id(1)] short Epoch);
