namespace Orka.Broker.Producers;

[GenerateSerializer, Alias("Orka.ProducerIdState")]
public sealed class ProducerIdState
{
    /// <summary>The next producer id to hand out.</summary>
    [Id(0)]
    public long NextProducerId { get; set; }
}
