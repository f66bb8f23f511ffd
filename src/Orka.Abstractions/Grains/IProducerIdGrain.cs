namespace Orka.Grains;

/// <summary>Hands out producer ids to idempotent producers (Kafka's InitProducerId); one grain, key 0.</summary>
[Alias("Orka.IProducerIdGrain")]
public interface IProducerIdGrain : IGrainWithIntegerKey
{
    /// <summary>The key of the one producer-id grain.</summary>
    const long Key = 0;

    /// <summary>A producer id never handed out before (persisted), with epoch 0.</summary>
    [Alias("InitProducerId")]
    Task<ProducerIdentity> InitProducerIdAsync();
}
