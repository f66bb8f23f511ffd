using System.Collections.Immutable;

namespace Orka.Broker.Cluster;

/// <summary>
/// Keeps the endpoints in the cluster metadata store, so that a registry reactivated elsewhere
/// (its silo died) still knows the nodes that registered before.
/// </summary>
internal sealed class KafkaEndpointRegistryGrain(
    [PersistentState("kafka-endpoints", MetadataStore.Name)] IPersistentState<KafkaEndpointRegistryState> state) : Grain, IKafkaEndpointRegistryGrain
{
    public async Task RegisterAsync(KafkaEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (state.State.Endpoints.TryGetValue(endpoint.NodeId, out var known) && known == endpoint)
        {
            return;
        }

        state.State.Endpoints[endpoint.NodeId] = endpoint;
        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<KafkaEndpoint>> ListAsync() =>
        Task.FromResult(state.State.Endpoints.Values.OrderBy(e => e.NodeId).ToImmutableArray());
}
