
namespace Orka.Broker.Producers;

/// <summary>
/// Allocates producer ids. The counter is persisted before an id is handed out, so an id is never
/// given twice, even across a crash (a crash may skip ids, which is harmless).
/// </summary>
internal sealed class ProducerIdGrain(
    [PersistentState("producer-ids", MetadataStore.Name)] IPersistentState<ProducerIdState> state) : Grain, IProducerIdGrain
{
    public async Task<ProducerIdentity> InitProducerIdAsync()
    {
        var id = state.State.NextProducerId;
        state.State.NextProducerId = id + 1;
        await state.WriteStateAsync();
        return new ProducerIdentity(id, 0);
    }
}
