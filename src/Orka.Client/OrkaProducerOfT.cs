using Orka.Records;

namespace Orka.Client;

/// <summary>
/// A typed face of <see cref="OrkaProducer"/>: keys and values go through serializers, everything else
/// (batching, partitioning by the serialized key, the buffer bound, retries) is the inner producer's.
/// </summary>
/// <typeparam name="TKey">The record key type.</typeparam>
/// <typeparam name="TValue">The record value type.</typeparam>
public sealed class OrkaProducer<TKey, TValue> : IAsyncDisposable
{
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;

    /// <summary>Wraps <paramref name="producer"/>; disposing this disposes (and so flushes) it.</summary>
    public OrkaProducer(OrkaProducer producer, ISerializer<TKey> keySerializer, ISerializer<TValue> valueSerializer)
    {
        Producer = producer;
        _keySerializer = keySerializer;
        _valueSerializer = valueSerializer;
    }

    /// <summary>The untyped producer underneath (shares the buffer and batches).</summary>
    public OrkaProducer Producer { get; }

    /// <summary>Serializes and produces one record; completes when it is acknowledged. See <see cref="OrkaProducer.ProduceAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>.</summary>
    public Task<DeliveryResult> ProduceAsync(
        string topic, TKey key, TValue value, IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null,
        CancellationToken cancellationToken = default) =>
        Producer.ProduceAsync(topic, _keySerializer.Serialize(key), _valueSerializer.Serialize(value), headers, timestamp, cancellationToken);

    /// <summary>Serializes and buffers one record; the outer task completes once it is buffered. See <see cref="OrkaProducer.EnqueueAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>.</summary>
    public ValueTask<Task<DeliveryResult>> EnqueueAsync(
        string topic, TKey key, TValue value, IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null,
        CancellationToken cancellationToken = default) =>
        Producer.EnqueueAsync(topic, _keySerializer.Serialize(key), _valueSerializer.Serialize(value), headers, timestamp, cancellationToken);

    /// <summary>Sends every partial batch and waits for every record produced so far.</summary>
    public Task FlushAsync() => Producer.FlushAsync();

    /// <summary>Flushes and disposes the inner producer.</summary>
    public ValueTask DisposeAsync() => Producer.DisposeAsync();
}
