using Orka.Storage;

namespace Orka.Client;

/// <summary>Partitioning, batching, sending and retries.</summary>
public sealed partial class OrkaProducer
{
    private readonly Dictionary<string, TopicState> _topics = [];
    private readonly Dictionary<TopicPartition, Accumulator> _accumulators = [];
    private readonly Dictionary<string, int> _stickyPartitions = [];
    private Task<ProducerIdentity>? _identity;

    /// <summary>
    /// Builders of finished batches, kept for reuse: a builder keeps its buffer (up to a batch size),
    /// so reusing it spares growing a fresh one to 1 MiB per batch. Touched under the lock.
    /// </summary>
    private readonly Stack<RecordBatchBuilder> _spareBuilders = new();
    private const int MaxSpareBuilders = 16;

    /// <summary>max.message.bytes of a topic that does not set it (the log's default).</summary>
    private static readonly int DefaultMaxMessageBytes = new LogConfig().MaxMessageBytes;

    /// <summary>Puts an accepted record into its partition's batch, or parks it until its topic's metadata is known. Holds the lock.</summary>
    private void Accept(QueuedRecord record)
    {
        if (!_topics.TryGetValue(record.Topic, out var state))
        {
            state = _topics[record.Topic] = new TopicState();
        }

        if (state.Metadata is { } metadata && state.Waiting.Count == 0)
        {
            Enqueue(metadata, record);
        }
        else
        {
            // Metadata not known yet: park the record (copied, the caller may reuse its buffers).
            state.Waiting.Add(record.Detached());
            if (state.Waiting.Count == 1)
            {
                state.Loading = LoadMetadataAsync(record.Topic, state);
            }
        }
    }

    private async Task LoadMetadataAsync(string topic, TopicState state)
    {
        TopicMetadata? metadata = null;
        Exception? failure = null;
        try
        {
            metadata = await new OrkaAdmin(_client).GetTopicAsync(topic).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }

        List<QueuedRecord> waiting;
        lock (_lock)
        {
            waiting = state.Waiting;
            state.Waiting = [];
            if (metadata is not null)
            {
                state.Metadata = metadata;
                foreach (var record in waiting)
                {
                    Enqueue(metadata, record);
                }

                return;
            }
        }

        // Fail what waited and give its space back; the next call looks the topic up again.
        waiting.ForEach(r => r.Delivery.Fail(failure!));
        Release(waiting.Sum(r => (long)r.Size));
    }

    /// <summary>Adds a record to its partition's batch and sends the batch if it is full. Holds the lock.</summary>
    private void Enqueue(TopicMetadata metadata, QueuedRecord record)
    {
        var topic = record.Topic;
        var partition = record.Key is { } k
            ? Murmur2Partitioner.Partition(k.Span, metadata.PartitionCount)
            : StickyPartition(topic, metadata.PartitionCount);
        // A batch never grows past the batch size (nor the topic's max.message.bytes, which the
        // partition would refuse it for): a record that does not fit closes the batch it would overfill.
        // Only a record bigger than the limit on its own makes a batch that large (and fails there).
        var limit = BatchLimit(metadata);
        var acc = AccumulatorFor(new TopicPartition(topic, partition));
        if (WouldOverfill(acc, record, limit))
        {
            DrainAndSend(acc, force: true);
            if (record.Key is null)
            {
                // Sticky partitioning moves on when a batch fills, as Kafka's does.
                _stickyPartitions.Remove(topic);
                acc = AccumulatorFor(new TopicPartition(topic, StickyPartition(topic, metadata.PartitionCount)));
                if (WouldOverfill(acc, record, limit))
                {
                    DrainAndSend(acc, force: true);
                }
            }
        }

        acc.Builder.Append(
            record.Timestamp,
            record.Key is { } key ? key.Span : default,
            record.Value is { } value ? value.Span : default,
            record.Headers,
            record.Key is null,
            record.Value is null);
        acc.Waiters.Add((record.Delivery, record.Timestamp));
        acc.BufferedBytes += record.Size;
        if (acc.Builder.SizeInBytes >= limit)
        {
            if (record.Key is null)
            {
                _stickyPartitions.Remove(topic);
            }

            DrainAndSend(acc, force: true);
        }
        else if (acc.Waiters.Count == 1)
        {
            _ = LingerAsync(acc, acc.Generation);
        }
    }

    private Accumulator AccumulatorFor(TopicPartition tp)
    {
        if (!_accumulators.TryGetValue(tp, out var acc))
        {
            acc = _accumulators[tp] = new Accumulator(tp, RentBuilder());
        }

        return acc;
    }

    private static bool WouldOverfill(Accumulator acc, QueuedRecord record, int limit) =>
        acc.Builder.Count > 0 && (long)acc.Builder.SizeInBytes + record.Size > limit;

    /// <summary>The most bytes one batch of the topic may have: the batch size, or less when the topic's max.message.bytes is lower.</summary>
    private int BatchLimit(TopicMetadata metadata)
    {
        var max = metadata.Config.TryGetValue("max.message.bytes", out var text) && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var configured)
            ? configured
            : DefaultMaxMessageBytes;
        return Math.Min(_options.BatchSize, max);
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

    /// <summary>
    /// Chains the partition's current batch behind its previous one. Holds the lock, so chain order is
    /// drain order. A batch that is not full (linger expired) waits instead while an earlier batch of
    /// the partition is still unacknowledged, and keeps collecting records: it goes out the moment the
    /// partition is idle, as Kafka's sender does. Without that, a short linger under load sent one
    /// tiny batch (one grain call) per record, each queued behind the last.
    /// </summary>
    private void DrainAndSend(Accumulator acc, bool force = false)
    {
        if (!force && acc.Unfinished > 0)
        {
            acc.SendWhenIdle = true;
            return;
        }

        acc.SendWhenIdle = false;
        acc.Unfinished++;
        acc.Tail = SendAfterAsync(acc.Tail, acc.Drain(RentBuilder()));
    }

    /// <summary>A spare builder or a new one. Holds the lock.</summary>
    private RecordBatchBuilder RentBuilder() => _spareBuilders.TryPop(out var builder) ? builder : new RecordBatchBuilder();

    private async Task SendAfterAsync(Task previous, Pending batch)
    {
        // The batch is encoded in its builder's buffer (no copy) and the grain call takes it as is
        // ([Immutable]), so the builder is reused only once the call has an answer; after a timeout
        // the call may still be on its way, and the builder is left to the garbage collector.
        var reusable = false;
        // Leave the caller (who holds the lock) before doing anything that may take time.
        await Task.Yield();
        await previous.ConfigureAwait(false); // never faults: failures end up in the waiters
        await _inFlight.WaitAsync().ConfigureAwait(false);
        try
        {
            // Sequences are assigned here, in the partition's chain order, so they have no gaps.
            var bytes = _options.EnableIdempotence
                ? await BuildIdempotentAsync(batch).ConfigureAwait(false)
                : batch.Builder.BuildInPlace();
            var result = await ProduceWithRetriesAsync(batch.Partition, bytes).ConfigureAwait(false);
            reusable = true;
            batch.Accumulator.NextSequence = NextSequence(batch.Accumulator.NextSequence, batch.Waiters.Count);
            for (var i = 0; i < batch.Waiters.Count; i++)
            {
                var (record, ts) = batch.Waiters[i];
                record.Succeed(new DeliveryResult(batch.Partition, result.BaseOffset + i, ts));
            }
        }
        catch (Exception e)
        {
            reusable = e is OrkaException; // the partition's own answer: the call is over
            foreach (var (record, _) in batch.Waiters)
            {
                record.Fail(e);
            }
        }
        finally
        {
            _inFlight.Release();
            Release(batch.BufferedBytes);
            lock (_lock)
            {
                if (reusable && _spareBuilders.Count < MaxSpareBuilders)
                {
                    batch.Builder.Reset();
                    _spareBuilders.Push(batch.Builder);
                }

                var acc = batch.Accumulator;
                if (--acc.Unfinished == 0 && acc.SendWhenIdle && acc.Waiters.Count > 0)
                {
                    DrainAndSend(acc, force: true);
                }
            }
        }
    }

    private async Task<ReadOnlyMemory<byte>> BuildIdempotentAsync(Pending batch)
    {
        Task<ProducerIdentity> identity;
        lock (_lock)
        {
            identity = _identity is { IsFaulted: false, IsCanceled: false } known
                ? known
                : _identity = _client.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync();
        }

        var producer = await identity.ConfigureAwait(false);
        return batch.Builder.BuildInPlace(producer.ProducerId, producer.Epoch, batch.Accumulator.NextSequence);
    }

    /// <summary>
    /// Sends one batch, retrying retriable failures (node down, timeouts) with backoff until
    /// <see cref="ProducerOptions.DeliveryTimeout"/>. With idempotence a retry can never duplicate:
    /// the partition answers a batch it already has with its first offsets.
    /// </summary>
    private async Task<ProduceResult> ProduceWithRetriesAsync(TopicPartition partition, ReadOnlyMemory<byte> bytes)
    {
        var grain = _client.GetGrain<IPartitionGrain>(partition.ToGrainKey());
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

    private sealed record QueuedRecord(string Topic, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader>? Headers, long Timestamp)
    {
        /// <summary>
        /// What the record counts against <see cref="ProducerOptions.BufferMemory"/>: its key, value
        /// and headers plus the most its varints and fields can take in a batch (so never an underestimate).
        /// </summary>
        public int Size { get; } = EstimateSize(Key, Value, Headers);

        /// <summary>Where the outcome goes (a task or the caller's handler).</summary>
        public required IDeliverySink Delivery { get; init; }

        public QueuedRecord Detached() => this with { Key = Copy(Key), Value = Copy(Value) };

        private static ReadOnlyMemory<byte>? Copy(ReadOnlyMemory<byte>? bytes) =>
            bytes is { } b ? new ReadOnlyMemory<byte>(b.ToArray()) : (ReadOnlyMemory<byte>?)null;

        private static int EstimateSize(ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers)
        {
            // Length, attributes, timestamp delta, offset delta, key length, value length, header count.
            const int RecordOverhead = 5 + 1 + 10 + 5 + 5 + 5 + 5;
            long size = RecordOverhead + (key?.Length ?? 0) + (value?.Length ?? 0);
            foreach (var header in headers ?? [])
            {
                size += 10 + System.Text.Encoding.UTF8.GetByteCount(header.Key) + (header.Value?.Length ?? 0);
            }

            return (int)Math.Min(size, int.MaxValue);
        }
    }

    private sealed record Pending(Accumulator Accumulator, RecordBatchBuilder Builder, List<(IDeliverySink Record, long Timestamp)> Waiters, long BufferedBytes)
    {
        public TopicPartition Partition => Accumulator.Partition;
    }

    private sealed class Accumulator(TopicPartition partition, RecordBatchBuilder builder)
    {
        public TopicPartition Partition { get; } = partition;
        public RecordBatchBuilder Builder { get; private set; } = builder;

        /// <summary>The sequence number of the next batch's first record (idempotence). Touched only in send order.</summary>
        public int NextSequence { get; set; }
        public List<(IDeliverySink Record, long Timestamp)> Waiters { get; private set; } = [];

        /// <summary>Buffer bytes of the records in <see cref="Waiters"/>.</summary>
        public long BufferedBytes { get; set; }

        /// <summary>The last batch sent for this partition; the next one waits for it.</summary>
        public Task Tail { get; set; } = Task.CompletedTask;

        /// <summary>Batches chained (sent or waiting to be) and not yet finished.</summary>
        public int Unfinished { get; set; }

        /// <summary>The linger expired while a batch was unfinished: send the current one when idle.</summary>
        public bool SendWhenIdle { get; set; }

        /// <summary>Bumped on every drain so a stale linger timer does nothing.</summary>
        public long Generation { get; private set; }

        /// <summary>Hands the records over to a pending batch; encoding waits until it is sent.</summary>
        public Pending Drain(RecordBatchBuilder next)
        {
            var pending = new Pending(this, Builder, Waiters, BufferedBytes);
            Builder = next;
            Waiters = [];
            BufferedBytes = 0;
            Generation++;
            return pending;
        }
    }
}
