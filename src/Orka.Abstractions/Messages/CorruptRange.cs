namespace Orka;

/// <summary>
/// Stored bytes of a partition that do not hold valid record batches: the offsets they hide
/// (<see cref="FirstOffset"/>..<see cref="LastOffset"/>, which a fetch fails on with
/// CORRUPT_MESSAGE) and where they are (segment file, bytes [<see cref="Position"/>, <see cref="EndPosition"/>)).
/// </summary>
[GenerateSerializer, Immutable, Alias("Orka.CorruptRange")]
public sealed record CorruptRange(
    [property: Id(0)] string SegmentFile,
    [property: Id(1)] long Position,
    [property: Id(2)] long EndPosition,
    [property: Id(3)] long FirstOffset,
    [property: Id(4)] long LastOffset,
    [property: Id(5)] string Problem);
