namespace Orka.Broker.Cluster;

/// <summary>The persisted state of <see cref="KafkaEndpointRegistryGrain"/>.</summary>
[GenerateSerializer, Alias("Orka.Kafka.KafkaEndpointRegistryState")]
public sealed class KafkaEndpointRegistryState
{
    [Id(0)]
    public Dictionary<int, KafkaEndpoint> Endpoints { get; set; } = [];
}
