using Orka.Client.Producer;
using Orka.Records;

namespace Orka.Client;

/// <summary>
/// The native producer. Batches records per partition into Kafka RecordBatch v2 and sends each batch
/// as one grain call. A batch goes out when it reaches <see cref="ProducerOptions.BatchSize"/> or after
/// <see cref="ProducerOptions.Linger"/>. Per partition, batches are chained: each is sent only after
/// the previous one was acknowledged, because Orleans does not order concurrent calls and records of
/// a partition must keep the order in which they were produced. At most
/// <see cref="ProducerOptions.MaxInFlightBatches"/> grain calls run at once. Keyed records go to
/// Kafka's murmur2 partition; records without a key stick to one partition per batch.
/// </summary>
/// <remarks>
/// <para>Memory: records waiting in batches or in flight are bounded by
/// <see cref="ProducerOptions.BufferMemory"/>. When the buffer is full, <see cref="EnqueueAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/> (and so
/// <see cref="ProduceAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>)
/// waits, first come first served, until acknowledged batches free space, for at most
/// <see cref="ProducerOptions.MaxBlock"/>. A caller that awaits each call (or each
/// <see cref="EnqueueAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>) is held back; a caller that starts calls without awaiting them makes
/// the waiting records (copies) pile up beside the buffer, so such loops should await
/// <see cref="EnqueueAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>.</para>
/// <para>Thread-safe. Dispose flushes: every record produced before it is delivered or failed.</para>
/// <para>A facade over its parts, which share one lock (owned here, guarding all their state):
/// <see cref="RecordAccumulator"/> (partitioning, batches, linger), <see cref="Sender"/> (one call per
/// batch, chained per partition, retries, outcomes) and <see cref="BufferPool"/> (the memory bound,
/// records waiting for space, spare batch buffers). The common path takes the lock once per record
/// and allocates nothing: see <see cref="RecordAccumulator.TryAppend"/>.</para>
/// </remarks>
public sealed class OrkaProducer : IAsyncDisposable
{
    private readonly ProducerOptions _options;
    private readonly BufferPool _pool;
    private readonly RecordAccumulator _accumulator;

    /// <summary>A producer over a connected Orleans client; <paramref name="options"/> default to <see cref="ProducerOptions"/>'s defaults.</summary>
    public OrkaProducer(IClusterClient client, ProducerOptions? options = null)
        : this(new OrleansProducerCluster(client), options, TimeProvider.System, Random.Shared)
    {
    }

    /// <summary>A producer over any <paramref name="cluster"/>, with the clock for linger, retries and MaxBlock and the source of sticky partitions.</summary>
    internal OrkaProducer(IProducerCluster cluster, ProducerOptions? options, TimeProvider time, Random random)
    {
        _options = options ?? new ProducerOptions();
        if (_options.BufferMemory <= 0 || _options.BatchSize <= 0 || _options.MaxInFlightBatches <= 0)
        {
            throw new ArgumentException("BufferMemory, BatchSize and MaxInFlightBatches must be positive.", nameof(options));
        }

        var sync = new Lock();
        _pool = new BufferPool(_options, sync, time, record => _accumulator!.Accept(record));
        _accumulator = new RecordAccumulator(_options, sync, _pool, new Sender(_options, cluster, _pool, sync, time), cluster, time, random);
    }

    /// <summary>Bytes currently held by accepted records (for tests and diagnostics).</summary>
    internal long BufferedBytes => _pool.BufferedBytes;

    /// <summary>
    /// Produces a record given as arrays (a null array is a null key or value: a tombstone when the
    /// value is null) and completes when its batch is acknowledged. (A null array passed where a
    /// <c>ReadOnlyMemory&lt;byte&gt;?</c> is expected would silently become an empty, non-null one.)
    /// </summary>
    public Task<DeliveryResult> ProduceAsync(
        string topic, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null,
        CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, Nullable(key), Nullable(value), headers, timestamp, cancellationToken);

    /// <summary>
    /// Produces a record and completes when its batch is acknowledged, with the partition, offset and
    /// timestamp it got. Records keep the order of the calls (per partition). The caller may reuse
    /// its buffers as soon as the call returns. Waits for buffer space first when the buffer is full;
    /// <paramref name="cancellationToken"/> only cancels that wait, never a record already accepted.
    /// </summary>
    /// <exception cref="OrkaException">
    /// MessageTooLarge when the record alone is bigger than <see cref="ProducerOptions.BufferMemory"/>;
    /// RequestTimedOut when no space was freed within <see cref="ProducerOptions.MaxBlock"/>; the
    /// partition's error (UnknownTopicOrPartition, …) when the batch failed.
    /// </exception>
    public Task<DeliveryResult> ProduceAsync(
        string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null,
        CancellationToken cancellationToken = default)
    {
        // The delivery task itself (not a wrapper), so it is complete by the time FlushAsync returns.
        var sink = new TaskSink();
        if (!TryAppendNow(topic, -1, key, value, headers, timestamp, sink, 0, out var size, out var stamp))
        {
            _ = _pool.ReserveAndAccept(new QueuedRecord(topic, key, value, headers, stamp, size) { Delivery = sink }, cancellationToken);
        }

        return sink.Task;
    }

    /// <summary>
    /// Accepts a record into the producer's buffer and returns its delivery: the outer task completes
    /// once the record is buffered (at once unless the buffer is full), the inner one when its batch
    /// is acknowledged. Awaiting the outer task in a loop is how a fast producer lets back-pressure
    /// reach it without waiting for each acknowledgement.
    /// </summary>
    /// <exception cref="OrkaException">MessageTooLarge or RequestTimedOut, as for <see cref="ProduceAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting for space; the record was not produced.</exception>
    public ValueTask<Task<DeliveryResult>> EnqueueAsync(
        string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null,
        CancellationToken cancellationToken = default)
    {
        var sink = new TaskSink();
        if (TryAppendNow(topic, -1, key, value, headers, timestamp, sink, 0, out var size, out var stamp))
        {
            return ValueTask.FromResult(sink.Task);
        }

        var accepted = _pool.ReserveAndAccept(new QueuedRecord(topic, key, value, headers, stamp, size) { Delivery = sink }, cancellationToken);
        return accepted.IsCompletedSuccessfully && accepted.Result
            ? ValueTask.FromResult(sink.Task)
            : new ValueTask<Task<DeliveryResult>>(WhenAcceptedAsync(accepted, sink.Task));

        static async Task<Task<DeliveryResult>> WhenAcceptedAsync(Task<bool> accepted, Task<DeliveryResult> delivery)
        {
            if (!await accepted.ConfigureAwait(false))
            {
                await delivery.ConfigureAwait(false); // failed while waiting for space: throws why
            }

            return delivery;
        }
    }

    /// <summary>
    /// Accepts a record into the producer's buffer and reports its outcome to
    /// <paramref name="onDelivery"/> instead of a task: called exactly once, with the result or with
    /// the error (the other argument null), on the thread that completed the record's batch, in the
    /// order of the partition's records, as Kafka's <c>send(record, callback)</c>. The returned task
    /// completes once the record is buffered (at once unless the buffer is full), so awaiting it in a
    /// loop gives back-pressure. Cheaper per record than <see cref="ProduceAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>
    /// (no task and no thread-pool hop per record), which matters at hundreds of thousands of records
    /// per second. The handler should be short; what it throws is ignored.
    /// </summary>
    /// <exception cref="OrkaException">MessageTooLarge for a record the buffer can never hold (thrown, the handler is not called).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting for space (the handler also gets it).</exception>
    public ValueTask EnqueueAsync(
        string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, Action<DeliveryResult?, Exception?> onDelivery,
        IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onDelivery);
        return EnqueueWithHandlerAsync(topic, -1, key, value, onDelivery, 0, headers, timestamp, cancellationToken);
    }

    /// <summary>
    /// As <see cref="EnqueueAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, Action{DeliveryResult?, Exception?}, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>,
    /// and <paramref name="onDelivery"/> also gets <paramref name="state"/>, a number of the caller's
    /// choice for this record (a send time, an index into the caller's own table). One handler for
    /// all records can then tell them apart with nothing allocated per record, where a closure per
    /// record would be an object that lives until the record is acknowledged.
    /// </summary>
    /// <exception cref="OrkaException">MessageTooLarge for a record the buffer can never hold (thrown, the handler is not called).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting for space (the handler also gets it).</exception>
    public ValueTask EnqueueAsync(
        string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, Action<DeliveryResult?, Exception?, long> onDelivery, long state,
        IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onDelivery);
        return EnqueueWithHandlerAsync(topic, -1, key, value, onDelivery, state, headers, timestamp, cancellationToken);
    }

    /// <summary>
    /// As <see cref="EnqueueAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, Action{DeliveryResult?, Exception?, long}, long, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>,
    /// to the given partition instead of the key's (Kafka's <c>ProducerRecord</c> with a partition).
    /// A partition the topic does not have fails the record with UnknownTopicOrPartition.
    /// </summary>
    public ValueTask EnqueueAsync(
        TopicPartition partition, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, Action<DeliveryResult?, Exception?, long> onDelivery, long state,
        IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onDelivery);
        ArgumentOutOfRangeException.ThrowIfNegative(partition.Partition, nameof(partition));
        return EnqueueWithHandlerAsync(partition.Topic, partition.Partition, key, value, onDelivery, state, headers, timestamp, cancellationToken);
    }

    private ValueTask EnqueueWithHandlerAsync(
        string topic, int partition, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, object handler, long state,
        IReadOnlyList<RecordHeader>? headers, DateTimeOffset? timestamp, CancellationToken cancellationToken)
    {
        if (TryAppendNow(topic, partition, key, value, headers, timestamp, handler, state, out var size, out var stamp))
        {
            return ValueTask.CompletedTask;
        }

        // Only a record that has to wait (for buffer space or its topic's metadata) gets an object of its own.
        var accepted = _pool.ReserveAndAccept(new QueuedRecord(topic, key, value, headers, stamp, size) { Delivery = new CallbackSink(handler, state), Partition = partition }, cancellationToken);
        return accepted.IsCompletedSuccessfully && accepted.Result
            ? ValueTask.CompletedTask
            : new ValueTask(WhenAcceptedAsync(accepted, cancellationToken));

        static async Task WhenAcceptedAsync(Task<bool> accepted, CancellationToken cancellationToken)
        {
            if (!await accepted.ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new OrkaException(OrkaErrorCode.RequestTimedOut, "No space in the producer's buffer within MaxBlock.");
            }
        }
    }

    /// <summary>
    /// Sends every partial batch now and waits until every record produced before the call is
    /// acknowledged or failed (records produced meanwhile by other callers may go out too, but are
    /// not waited for, so a busy producer cannot keep a flush from returning).
    /// </summary>
    public async Task FlushAsync()
    {
        // Records in batches (sent or not) are covered by the partitions' tails: each round seals
        // every partial batch and awaits each partition's last one, and a batch finishes only after
        // its partition's previous one. These are the records not in a batch yet.
        var produced = _accumulator.UnbatchedDeliveries();
        while (true)
        {
            // Records still waiting for their topic's metadata are part of what must be flushed.
            await Task.WhenAll(_accumulator.MetadataLoads()).ConfigureAwait(false);
            await Task.WhenAll(_accumulator.SealAll()).ConfigureAwait(false);

            // Acknowledgements free buffer space, which lets records that waited for it in: those
            // are now in batches, so go round again until everything produced before the call is done.
            if (produced.All(t => t.IsCompleted))
            {
                return;
            }
        }
    }

    /// <summary>Flushes (see <see cref="FlushAsync"/>), then refuses further records.</summary>
    public async ValueTask DisposeAsync()
    {
        await FlushAsync().ConfigureAwait(false);
        _pool.Close();
    }

    /// <summary>
    /// The common case, with no allocation per record (<see cref="RecordAccumulator.TryAppend"/>).
    /// False when the record has to take the queued path (<see cref="BufferPool.ReserveAndAccept"/>),
    /// with the size it counts against the buffer and its timestamp for that path. Validates the
    /// record either way: throws for a bad topic name, a record the buffer can never hold, or a
    /// disposed producer.
    /// </summary>
    private bool TryAppendNow(
        string topic, int partition, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers, DateTimeOffset? timestamp,
        object sink, long callerState, out int size, out long stamp)
    {
        size = CheckedSize(key, value, headers);
        stamp = Stamp(timestamp);
        return _accumulator.TryAppend(topic, partition, key, value, headers, stamp, size, sink, callerState);
    }

    private static long Stamp(DateTimeOffset? timestamp) => (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds();

    /// <summary>What the record counts against the buffer (<see cref="QueuedRecord.EstimateSize"/>); throws when the buffer can never hold it.</summary>
    private int CheckedSize(ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers)
    {
        var size = QueuedRecord.EstimateSize(key, value, headers);
        return size <= _options.BufferMemory
            ? size
            : throw new OrkaException(
                OrkaErrorCode.MessageTooLarge,
                $"A record of about {size} bytes does not fit in the producer's buffer of {_options.BufferMemory} bytes (BufferMemory).");
    }

    // `array is null ? null : new ReadOnlyMemory<byte>(array)` would be typed ReadOnlyMemory<byte>
    // (null converts to it through the array conversion) and so never null: spell the nullable out.
    private static ReadOnlyMemory<byte>? Nullable(byte[]? array) =>
        array is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(array);
}
