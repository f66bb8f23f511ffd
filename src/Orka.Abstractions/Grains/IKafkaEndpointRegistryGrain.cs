using System.Collections.Immutable;

namespace Orka.Grains;

/// <summary>
/// Every node's advertised Kafka endpoint (one grain, key 0), so that any silo can answer Metadata
/// with the addresses of all the others. Each silo registers itself when its listener starts.
/// Liveness is not kept here: callers filter by Orleans membership.
/// </summary>
[Alias("Orka.Kafka.IKafkaEndpointRegistryGrain")]
public interface IKafkaEndpointRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>The key of the one registry grain.</summary>
    const long Key = 0;

    /// <summary>Records (or replaces) a node's endpoint.</summary>
    [Alias("Register")]
    Task RegisterAsync(KafkaEndpoint endpoint);

    /// <summary>Every endpoint ever registered, by node id (live or not).</summary>
    [Alias("List"), Orleans.Concurrency.AlwaysInterleave]
    Task<ImmutableArray<KafkaEndpoint>> ListAsync();
}
