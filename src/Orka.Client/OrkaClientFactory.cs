using Microsoft.Extensions.Options;

namespace Orka.Client;

/// <summary>
/// Creates producers and consumers over the application's Orleans client (registered by
/// <c>AddOrkaClient</c>). A producer is meant to live long and be shared (it is thread-safe and batches
/// across callers); a consumer belongs to one reader.
/// </summary>
public sealed class OrkaClientFactory(IClusterClient client, IOptions<OrkaClientOptions> options)
{
    /// <summary>A byte producer; <paramref name="producerOptions"/> default to <see cref="OrkaClientOptions.Producer"/>.</summary>
    public OrkaProducer CreateProducer(ProducerOptions? producerOptions = null) =>
        new(client, producerOptions ?? options.Value.Producer);

    /// <summary>A typed producer whose keys and values go through the given serializers (see <see cref="Serializers"/>).</summary>
    public OrkaProducer<TKey, TValue> CreateProducer<TKey, TValue>(
        ISerializer<TKey> keySerializer, ISerializer<TValue> valueSerializer, ProducerOptions? producerOptions = null) =>
        new(CreateProducer(producerOptions), keySerializer, valueSerializer);

    /// <summary>A byte consumer; <paramref name="consumerOptions"/> default to <see cref="OrkaClientOptions.Consumer"/>.</summary>
    public OrkaConsumer CreateConsumer(ConsumerOptions? consumerOptions = null) =>
        new(client, consumerOptions ?? options.Value.Consumer);

    /// <summary>A typed consumer whose keys and values go through the given deserializers (see <see cref="Deserializers"/>).</summary>
    public OrkaConsumer<TKey, TValue> CreateConsumer<TKey, TValue>(
        IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer, ConsumerOptions? consumerOptions = null) =>
        new(CreateConsumer(consumerOptions), keyDeserializer, valueDeserializer);
}
