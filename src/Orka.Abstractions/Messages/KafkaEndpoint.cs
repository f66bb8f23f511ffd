namespace Orka;

/// <summary>Where a node's Kafka listener can be reached, as advertised to clients.</summary>
[GenerateSerializer, Immutable, Alias("Orka.Kafka.KafkaEndpoint")]
public sealed record KafkaEndpoint(
    [property: Id(0)] int NodeId,
    [property: Id(1)] string Host,
    [property: Id(2)] int Port);
