using System.Collections.Immutable;

namespace Orka;

/// <summary>What a caller asks for when creating a topic.</summary>
[GenerateSerializer, Immutable, Alias("Orka.TopicSpec")]
public sealed record TopicSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] int Partitions,
    [property: Id(2)] ImmutableDictionary<string, string>? Config = null);
