using System.Runtime.CompilerServices;

namespace Orka.Client;

/// <summary>
/// A typed face of <see cref="OrkaConsumer"/>: records come out with keys and values deserialized.
/// Assignment, positions and commits stay on <see cref="Consumer"/>. Not thread-safe, as the inner consumer.
/// </summary>
/// <typeparam name="TKey">The record key type.</typeparam>
/// <typeparam name="TValue">The record value type.</typeparam>
public sealed class OrkaConsumer<TKey, TValue> : IAsyncDisposable
{
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;

    /// <summary>Wraps <paramref name="consumer"/>.</summary>
    public OrkaConsumer(OrkaConsumer consumer, IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer)
    {
        Consumer = consumer;
        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
    }

    /// <summary>The untyped consumer underneath: subscribe, assign, seek and commit through it.</summary>
    public OrkaConsumer Consumer { get; }

    /// <summary>Disposes the inner consumer: it leaves its group, committing first when auto-commit is on.</summary>
    public ValueTask DisposeAsync() => Consumer.DisposeAsync();

    /// <summary>
    /// The inner consumer's records, deserialized, until <paramref name="cancellationToken"/> fires. A
    /// deserializer that throws ends the enumeration at that record (its position is already past it,
    /// so commit only what was processed).
    /// </summary>
    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in Consumer.ConsumeAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new ConsumeResult<TKey, TValue>(
                record.Partition,
                record.Offset,
                record.Timestamp,
                _keyDeserializer.Deserialize(record.Key),
                _valueDeserializer.Deserialize(record.Value),
                record.Headers);
        }
    }
}
