namespace Orka;

/// <summary>
/// A read of one partition: whole batches from the one holding <see cref="Offset"/>, up to
/// <see cref="MaxBytes"/> (at least one batch). When fewer than <see cref="MinBytes"/> are available
/// the partition waits up to <see cref="MaxWait"/> for more (a long poll).
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.FetchRequest")]
public sealed record FetchRequest(
    [property: Id(0)] long Offset,
    [property: Id(1)] int MaxBytes,
    [property: Id(2)] int MinBytes,
    [property: Id(3)] TimeSpan MaxWait);
