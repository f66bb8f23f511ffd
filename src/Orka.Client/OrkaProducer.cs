using Orka.Storage;

namespace Orka.Client;

/// <summary>
/// Batches records per partition into Kafka RecordBatch v2 and sends each batch as one grain call.
/// A batch goes out when it reaches <see cref="ProducerOptions.BatchSize"/> or after
/// <see cref="ProducerOptions.Linger"/>. Per partition, batches are chained: each is sent only after
/// the previous one was acknowledged, because Orleans does not order concurrent calls and records of
/// a partition must keep the order in which <see cref="ProduceAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?)"/>
/// was called. At most <see cref="ProducerOptions.MaxInFlightBatches"/> grain calls run at once.
/// Keyed records go to Kafka's murmur2 partition; records without a key stick to one partition per
/// batch. Thread-safe. Dispose flushes.
/// </summary>
public sealed class OrkaProducer(IClusterClient client, ProducerOptions? options = null) : IAsyncDisposable
{
    private readonly ProducerOptions _options = options ?? new ProducerOptions();
    private readonly Dictionary<string, TopicState> _topics = [];
    private readonly Dictionary<TopicPartition, Accumulator> _accumulators = [];
    private readonly Dictionary<string, int> _stickyPartitions = [];
    private readonly SemaphoreSlim _inFlight = new((options ?? new ProducerOptions()).MaxInFlightBatches);
    private readonly Lock _lock = new();
    private Task<ProducerIdentity>? _identity;

    /// <summary>
    /// Queues a record given as arrays: a null array is a null key or value. (A null array passed where
    /// a <c>ReadOnlyMemory&lt;byte&gt;?</c> is expected would silently become an empty, non-null one.)
    /// </summary>
    public Task<DeliveryResult> ProduceAsync(
        string topic, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null) =>
        ProduceAsync(topic, Nullable(key), Nullable(value), headers, timestamp);

    /// <summary>
    /// Queues a record; the task completes when its batch is acknowledged. Records keep the order of
    /// the calls (per partition), even while the topic's metadata is still being looked up.
    /// </summary>
    public Task<DeliveryResult> ProduceAsync(
        string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null, DateTimeOffset? timestamp = null)
    {
        Names.ValidateTopicName(topic);
        var record = new QueuedRecord(key, value, headers, (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds());
        lock (_lock)
        {
            if (!_topics.TryGetValue(topic, out var state))
            {
                state = _topics[topic] = new TopicState();
            }

            if (state.Metadata is { } metadata && state.Waiting.Count == 0)
            {
                Enqueue(topic, metadata, record);
            }
            else
            {
                // Metadata not known yet: park the record (copied, the caller may reuse its buffers).
                state.Waiting.Add(record.Detached());
                if (state.Waiting.Count == 1)
                {
                    state.Loading = LoadMetadataAsync(topic, state);
                }
            }
        }

        return record.Delivery.Task;
    }

    /// <summary>Sends every partial batch now and waits until every batch sent so far is acknowledged.</summary>
    public async Task FlushAsync()
    {
        // Records still waiting for their topic's metadata are part of what must be flushed.
        List<Task> loading;
        lock (_lock)
        {
            loading = _topics.Values.Select(t => t.Loading).ToList();
        }

        await Task.WhenAll(loading).ConfigureAwait(false);

        List<Task> tails;
        lock (_lock)
        {
            foreach (var acc in _accumulators.Values)
            {
                if (acc.Waiters.Count > 0)
                {
                    DrainAndSend(acc);
                }
            }

            tails = _accumulators.Values.Select(a => a.Tail).ToList();
        }

        await Task.WhenAll(tails).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await FlushAsync().ConfigureAwait(false);
        _inFlight.Dispose();
    }

    // `array is null ? null : new ReadOnlyMemory<byte>(array)` would be typed ReadOnlyMemory<byte>
    // (null converts to it through the array conversion) and so never null: spell the nullable out.
    private static ReadOnlyMemory<byte>? Nullable(byte[]? array) =>
        array is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(array);

    private async Task LoadMetadataAsync(string topic, TopicState state)
    {
        TopicMetadata? metadata = null;
        Exception? failure = null;
        try
        {
            metadata = await new OrkaAdmin(client).GetTopicAsync(topic).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }

        lock (_lock)
        {
            var waiting = state.Waiting;
            state.Waiting = [];
            if (metadata is null)
            {
                // Fail what waited; the next call looks the topic up again.
                waiting.ForEach(r => r.Delivery.TrySetException(failure!));
                return;
            }

            state.Metadata = metadata;
            foreach (var record in waiting)
            {
                Enqueue(topic, metadata, record);
            }
        }
    }

    /// <summary>Adds a record to its partition's batch and sends the batch if it is full. Holds the lock.</summary>
    private void Enqueue(string topic, TopicMetadata metadata, QueuedRecord record)
    {
        var partition = record.Key is { } k
            ? Murmur2Partitioner.Partition(k.Span, metadata.PartitionCount)
            : StickyPartition(topic, metadata.PartitionCount);
        var tp = new TopicPartition(topic, partition);
        if (!_accumulators.TryGetValue(tp, out var acc))
        {
            acc = _accumulators[tp] = new Accumulator(tp);
        }

        acc.Builder.Append(
            record.Timestamp,
            record.Key is { } key ? key.Span : default,
            record.Value is { } value ? value.Span : default,
            record.Headers,
            record.Key is null,
            record.Value is null);
        acc.Waiters.Add((record.Delivery, record.Timestamp));
        if (acc.Builder.SizeInBytes >= _options.BatchSize)
        {
            if (record.Key is null)
            {
                _stickyPartitions.Remove(topic);
            }

            DrainAndSend(acc);
        }
        else if (acc.Waiters.Count == 1)
        {
            _ = LingerAsync(acc, acc.Generation);
        }
    }

    private int StickyPartition(string topic, int partitionCount)
    {
        if (!_stickyPartitions.TryGetValue(topic, out var partition) || partition >= partitionCount)
        {
            partition = _stickyPartitions[topic] = Random.Shared.Next(partitionCount);
        }

        return partition;
    }

    private async Task LingerAsync(Accumulator acc, long generation)
    {
        await Task.Delay(_options.Linger).ConfigureAwait(false);
        lock (_lock)
        {
            if (acc.Generation == generation && acc.Waiters.Count > 0)
            {
                _stickyPartitions.Remove(acc.Partition.Topic);
                DrainAndSend(acc);
            }
        }
    }

    /// <summary>Chains the partition's current batch behind its previous one. Holds the lock, so chain order is drain order.</summary>
    private void DrainAndSend(Accumulator acc) => acc.Tail = SendAfterAsync(acc.Tail, acc.Drain());

    private async Task SendAfterAsync(Task previous, Pending batch)
    {
        // Leave the caller (who holds the lock) before doing anything that may take time.
        await Task.Yield();
        await previous.ConfigureAwait(false); // never faults: failures end up in the waiters
        await _inFlight.WaitAsync().ConfigureAwait(false);
        try
        {
            // Sequences are assigned here, in the partition's chain order, so they have no gaps.
            var bytes = _options.EnableIdempotence
                ? await BuildIdempotentAsync(batch).ConfigureAwait(false)
                : batch.Builder.Build();
            var result = await ProduceWithRetriesAsync(batch.Partition, bytes).ConfigureAwait(false);
            batch.Accumulator.NextSequence = NextSequence(batch.Accumulator.NextSequence, batch.Waiters.Count);
            for (var i = 0; i < batch.Waiters.Count; i++)
            {
                var (record, ts) = batch.Waiters[i];
                record.TrySetResult(new DeliveryResult(batch.Partition, result.BaseOffset + i, ts));
            }
        }
        catch (Exception e)
        {
            foreach (var (record, _) in batch.Waiters)
            {
                record.TrySetException(e);
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task<byte[]> BuildIdempotentAsync(Pending batch)
    {
        Task<ProducerIdentity> identity;
        lock (_lock)
        {
            identity = _identity is { IsFaulted: false, IsCanceled: false } known
                ? known
                : _identity = client.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync();
        }

        var producer = await identity.ConfigureAwait(false);
        return batch.Builder.Build(producer.ProducerId, producer.Epoch, batch.Accumulator.NextSequence);
    }

    /// <summary>
    /// Sends one batch, retrying retriable failures (node down, timeouts) with backoff until
    /// <see cref="ProducerOptions.DeliveryTimeout"/>. With idempotence a retry can never duplicate:
    /// the partition answers a batch it already has with its first offsets.
    /// </summary>
    private async Task<ProduceResult> ProduceWithRetriesAsync(TopicPartition partition, byte[] bytes)
    {
        var grain = client.GetGrain<IPartitionGrain>(partition.ToGrainKey());
        var deadline = DateTime.UtcNow + _options.DeliveryTimeout;
        var backoff = _options.RetryBackoff;
        while (true)
        {
            try
            {
                return await grain.ProduceAsync(bytes, _options.Acks).ConfigureAwait(false);
            }
            catch (Exception e) when (IsRetriable(e) && DateTime.UtcNow + backoff < deadline)
            {
                await Task.Delay(backoff).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.TicksPerSecond));
            }
        }
    }

    private bool IsRetriable(Exception e) => e switch
    {
        OrkaException orka => orka.IsRetriable,

        // The call may or may not have reached the partition: only safe to repeat with idempotence.
        TimeoutException or Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException => _options.EnableIdempotence,
        _ => false,
    };

    private static int NextSequence(int sequence, int records) =>
        (int)((sequence + (long)records) % (int.MaxValue + 1L));

    private sealed class TopicState
    {
        public TopicMetadata? Metadata { get; set; }

        /// <summary>The metadata look-up under way, if any (it never faults).</summary>
        public Task Loading { get; set; } = Task.CompletedTask;

        /// <summary>Records produced before the metadata arrived, in call order.</summary>
        public List<QueuedRecord> Waiting { get; set; } = [];
    }

    private sealed record QueuedRecord(ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader>? Headers, long Timestamp)
    {
        public TaskCompletionSource<DeliveryResult> Delivery { get; init; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public QueuedRecord Detached() => this with { Key = Copy(Key), Value = Copy(Value) };

        private static ReadOnlyMemory<byte>? Copy(ReadOnlyMemory<byte>? bytes) =>
            bytes is { } b ? new ReadOnlyMemory<byte>(b.ToArray()) : (ReadOnlyMemory<byte>?)null;
    }

    private sealed record Pending(Accumulator Accumulator, RecordBatchBuilder Builder, List<(TaskCompletionSource<DeliveryResult> Record, long Timestamp)> Waiters)
    {
        public TopicPartition Partition => Accumulator.Partition;
    }

    private sealed class Accumulator(TopicPartition partition)
    {
        public TopicPartition Partition { get; } = partition;
        public RecordBatchBuilder Builder { get; private set; } = new();

        /// <summary>The sequence number of the next batch's first record (idempotence). Touched only in send order.</summary>
        public int NextSequence { get; set; }
        public List<(TaskCompletionSource<DeliveryResult> Record, long Timestamp)> Waiters { get; private set; } = [];

        /// <summary>The last batch sent for this partition; the next one waits for it.</summary>
        public Task Tail { get; set; } = Task.CompletedTask;

        /// <summary>Bumped on every drain so a stale linger timer does nothing.</summary>
        public long Generation { get; private set; }

        /// <summary>Hands the records over to a pending batch; encoding waits until it is sent.</summary>
        public Pending Drain()
        {
            var pending = new Pending(this, Builder, Waiters);
            Builder = new RecordBatchBuilder();
            Waiters = [];
            Generation++;
            return pending;
        }
    }
}
