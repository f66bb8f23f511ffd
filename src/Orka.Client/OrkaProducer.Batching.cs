using Orka.Client.Telemetry;
using Orka.Records;

namespace Orka.Client;

/// <summary>Partitioning, batching, sending and retries.</summary>
public sealed partial class OrkaProducer
{
    private readonly Dictionary<string, TopicState> _topics = [];
    private readonly List<Accumulator> _accumulators = [];
    private Task<ProducerIdentity>? _identity;

    /// <summary>The topic of the last call and its state: a producer mostly writes to one topic, so this spares the look-up.</summary>
    private (string Name, TopicState State)? _lastTopic;

    /// <summary>
    /// Buffers of finished batches, kept for reuse: a builder keeps its buffer (up to a batch size)
    /// and the waiter list its capacity, so reusing them spares growing fresh ones (to 1 MiB, and to
    /// a large-object array at 100 B records) per batch. Touched under the lock.
    /// </summary>
    private readonly Stack<BatchBuffer> _spareBuffers = new();

    /// <summary>
    /// How many spare buffers to keep: as many batches as the buffer memory holds (as Kafka's
    /// BufferPool keeps batch-size buffers up to buffer.memory), so a producer at full speed never
    /// allocates a batch buffer; at least 16, at most 1024.
    /// </summary>
    private int MaxSpareBuffers => (int)Math.Clamp(_options.BufferMemory / _options.BatchSize, 16, 1024);

    /// <summary>max.message.bytes of a topic that does not set it (the log's default).</summary>
    private static readonly int DefaultMaxMessageBytes = int.Parse(TopicConfigCatalog.DefaultOf(TopicConfigCatalog.MaxMessageBytes), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The topic's state, made (after checking the name) on first use. Holds the lock.</summary>
    private TopicState StateFor(string topic)
    {
        if (_lastTopic is { } last && ReferenceEquals(last.Name, topic))
        {
            return last.State;
        }

        if (!_topics.TryGetValue(topic, out var state))
        {
            Names.ValidateTopicName(topic);
            state = _topics[topic] = new TopicState();
        }

        _lastTopic = (topic, state);
        return state;
    }

    /// <summary>Puts an accepted record into its partition's batch, or parks it until its topic's metadata is known. Holds the lock.</summary>
    private void Accept(QueuedRecord record)
    {
        var state = StateFor(record.Topic);
        if (state.Metadata is { } metadata && state.Waiting.Count == 0)
        {
            Enqueue(state, metadata, record);
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
                state.BatchLimit = BatchLimit(metadata);
                state.Partitions = new Accumulator?[metadata.PartitionCount];
                foreach (var record in waiting)
                {
                    Enqueue(state, metadata, record);
                }

                return;
            }
        }

        // Fail what waited and give its space back; the next call looks the topic up again.
        waiting.ForEach(r => r.Delivery.Fail(failure!));
        Release(waiting.Sum(r => (long)r.Size));
    }

    private void Enqueue(TopicState state, TopicMetadata metadata, QueuedRecord record) =>
        Enqueue(state, metadata, record.Partition, record.Key, record.Value, record.Headers, record.Timestamp, record.Size, record.Delivery, 0);

    /// <summary>
    /// Encodes a record into its partition's batch and sends the batch if it is full. Holds the lock.
    /// <paramref name="sink"/> is where the outcome goes and <paramref name="callerState"/> what goes with it (see <see cref="Deliver"/>).
    /// <paramref name="chosen"/> is the caller's partition, -1 for the key's (or the sticky one).
    /// </summary>
    private void Enqueue(
        TopicState state, TopicMetadata metadata, int chosen, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers,
        long timestamp, int size, object sink, long callerState)
    {
        if (chosen >= metadata.PartitionCount)
        {
            // Reported off the lock, as a batch's outcome is.
            var error = new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic {metadata.Name} has no partition {chosen} (it has {metadata.PartitionCount}).");
            _ = Task.Run(() =>
            {
                Deliver(new Waiter(sink, timestamp, callerState), null, error);
                Release(size);
            });
            return;
        }

        var partition = chosen >= 0 ? chosen
            : key is { } k ? Murmur2Partitioner.Partition(k.Span, metadata.PartitionCount)
            : StickyPartition(state, metadata.PartitionCount);
        // A batch never grows past the batch size (nor the topic's max.message.bytes, which the
        // partition would refuse it for): a record that does not fit closes the batch it would overfill.
        // Only a record bigger than the limit on its own makes a batch that large (and fails there).
        var limit = state.BatchLimit;
        var acc = AccumulatorFor(state, metadata.Name, partition);
        if (WouldOverfill(acc, size, limit))
        {
            DrainAndSend(acc, force: true);
            if (key is null && chosen < 0)
            {
                // Sticky partitioning moves on when a batch fills, as Kafka's does.
                state.StickyPartition = -1;
                acc = AccumulatorFor(state, metadata.Name, StickyPartition(state, metadata.PartitionCount));
                if (WouldOverfill(acc, size, limit))
                {
                    DrainAndSend(acc, force: true);
                }
            }
        }

        var buffer = acc.Buffer;
        buffer.Builder.Append(
            timestamp,
            key is { } keyBytes ? keyBytes.Span : default,
            value is { } valueBytes ? valueBytes.Span : default,
            headers,
            key is null,
            value is null);
        buffer.Waiters.Add(new Waiter(sink, timestamp, callerState));
        acc.BufferedBytes += size;
        if (buffer.Builder.SizeInBytes >= limit)
        {
            if (key is null && chosen < 0)
            {
                state.StickyPartition = -1;
            }

            DrainAndSend(acc, force: true);
        }
        else if (buffer.Waiters.Count == 1)
        {
            _ = LingerAsync(acc, acc.Generation);
        }
    }

    private Accumulator AccumulatorFor(TopicState state, string topic, int partition)
    {
        if (state.Partitions[partition] is not { } acc)
        {
            acc = state.Partitions[partition] = new Accumulator(new TopicPartition(topic, partition), state, RentBuffer());
            _accumulators.Add(acc);
        }

        return acc;
    }

    private static bool WouldOverfill(Accumulator acc, int size, int limit) =>
        acc.Buffer.Builder.Count > 0 && (long)acc.Buffer.Builder.SizeInBytes + size > limit;

    /// <summary>The most bytes one batch of the topic may have: the batch size, or less when the topic's max.message.bytes is lower.</summary>
    private int BatchLimit(TopicMetadata metadata)
    {
        var max = metadata.Config.TryGetValue("max.message.bytes", out var text) && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var configured)
            ? configured
            : DefaultMaxMessageBytes;
        return Math.Min(_options.BatchSize, max);
    }

    private static int StickyPartition(TopicState state, int partitionCount)
    {
        if (state.StickyPartition < 0 || state.StickyPartition >= partitionCount)
        {
            state.StickyPartition = Random.Shared.Next(partitionCount);
        }

        return state.StickyPartition;
    }

    private async Task LingerAsync(Accumulator acc, long generation)
    {
        await Task.Delay(_options.Linger).ConfigureAwait(false);
        lock (_lock)
        {
            if (acc.Generation == generation && acc.Buffer.Waiters.Count > 0)
            {
                acc.Topic.StickyPartition = -1;
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
        acc.Tail = SendAfterAsync(acc.Tail, acc.Drain(RentBuffer()));
    }

    /// <summary>A spare batch buffer or a new one. Holds the lock.</summary>
    private BatchBuffer RentBuffer() => _spareBuffers.TryPop(out var buffer) ? buffer : new BatchBuffer();

    private async Task SendAfterAsync(Task previous, Pending batch)
    {
        // The batch is encoded in its builder's buffer (no copy) and the grain call takes it as is
        // ([Immutable]), so the buffer is reused only once the call has an answer; after a timeout
        // the call may still be on its way, and the buffer is left to the garbage collector.
        var reusable = false;
        var waiters = batch.Buffer.Waiters;
        ProduceResult? result = null;
        Exception? failure = null;
        // Leave the caller (who holds the lock) before doing anything that may take time.
        await Task.Yield();
        await previous.ConfigureAwait(false); // never faults: failures end up in the waiters
        await _inFlight.WaitAsync().ConfigureAwait(false);
        try
        {
            // Sequences are assigned here, in the partition's chain order, so they have no gaps.
            var bytes = _options.EnableIdempotence
                ? await BuildIdempotentAsync(batch).ConfigureAwait(false)
                : batch.Buffer.Builder.BuildInPlace();
            result = await ProduceWithRetriesAsync(batch.Partition, bytes).ConfigureAwait(false);
            reusable = true;
            batch.Accumulator.NextSequence = NextSequence(batch.Accumulator.NextSequence, waiters.Count);
        }
        catch (Exception e)
        {
            reusable = e is OrkaException; // the partition's own answer: the call is over
            failure = e;
        }
        finally
        {
            _inFlight.Release();
        }

        // Each record's outcome is reported exactly once, here, in the partition's order.
        for (var i = 0; i < waiters.Count; i++)
        {
            var waiter = waiters[i];
            if (result is { } produced)
            {
                Deliver(waiter, new DeliveryResult(batch.Partition, produced.BaseOffset + i, waiter.Timestamp), null);
            }
            else
            {
                Deliver(waiter, null, failure);
            }
        }

        Release(batch.BufferedBytes);
        lock (_lock)
        {
            if (reusable && _spareBuffers.Count < MaxSpareBuffers)
            {
                batch.Buffer.Reset();
                _spareBuffers.Push(batch.Buffer);
            }

            var acc = batch.Accumulator;
            if (--acc.Unfinished == 0 && acc.SendWhenIdle && acc.Buffer.Waiters.Count > 0)
            {
                DrainAndSend(acc, force: true);
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
        return batch.Buffer.Builder.BuildInPlace(producer.ProducerId, producer.Epoch, batch.Accumulator.NextSequence);
    }

    /// <summary>
    /// Sends one batch, retrying retriable failures (node down, timeouts) with backoff until
    /// <see cref="ProducerOptions.DeliveryTimeout"/>, at most <see cref="ProducerOptions.Retries"/> times. With idempotence a retry can never duplicate:
    /// the partition answers a batch it already has with its first offsets.
    /// </summary>
    private async Task<ProduceResult> ProduceWithRetriesAsync(TopicPartition partition, ReadOnlyMemory<byte> bytes)
    {
        var grain = _client.GetPartitionGrain(partition);
        var deadline = DateTime.UtcNow + _options.DeliveryTimeout;
        var backoff = _options.RetryBackoff;
        using var span = ProducerSpans.StartSend(partition, bytes, _options.Acks);
        for (var retries = 0; ; retries++)
        {
            try
            {
                return ProducerSpans.Sent(span, await grain.ProduceAsync(bytes, _options.Acks).ConfigureAwait(false));
            }
            catch (Exception e) when (ProducerSpans.Retrying(span, e, retries < _options.Retries && IsRetriable(e) && DateTime.UtcNow + backoff < deadline))
            {
                await Task.Delay(backoff).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.TicksPerSecond));
            }
        }
    }

    private bool IsRetriable(Exception e) => e switch
    {
        OrkaException orka => orka.IsRetriable,

        // The connection to the gateway could not be made: the call never left.
        Orleans.Runtime.Messaging.ConnectionFailedException => true,

        // The call may or may not have reached the partition: only safe to repeat with idempotence.
        TimeoutException or Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException => _options.EnableIdempotence,
        _ => false,
    };

    private static int NextSequence(int sequence, int records) =>
        (int)((sequence + (long)records) % (int.MaxValue + 1L));

    private sealed class TopicState
    {
        public TopicMetadata? Metadata { get; set; }

        /// <summary>The most bytes one batch may have (the batch size, or the topic's max.message.bytes when lower), set with the metadata.</summary>
        public int BatchLimit { get; set; }

        /// <summary>The partitions' accumulators, made on first use; sized with the metadata.</summary>
        public Accumulator?[] Partitions { get; set; } = [];

        /// <summary>Where records without a key go until their batch fills or lingers out; -1 when not chosen.</summary>
        public int StickyPartition { get; set; } = -1;

        /// <summary>The metadata look-up under way, if any (it never faults).</summary>
        public Task Loading { get; set; } = Task.CompletedTask;

        /// <summary>Records produced before the metadata arrived, in call order.</summary>
        public List<QueuedRecord> Waiting { get; set; } = [];
    }

    /// <summary>A record that has to wait for buffer space or for its topic's metadata; <paramref name="Size"/> is its <see cref="EstimateSize"/>.</summary>
    private sealed record QueuedRecord(string Topic, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader>? Headers, long Timestamp, int Size)
    {
        /// <summary>Where the outcome goes (a task or the caller's handler).</summary>
        public required IDeliverySink Delivery { get; init; }

        /// <summary>The caller's partition; -1 for the key's.</summary>
        public int Partition { get; init; } = -1;

        public QueuedRecord Detached() => this with { Key = Copy(Key), Value = Copy(Value) };

        private static ReadOnlyMemory<byte>? Copy(ReadOnlyMemory<byte>? bytes) =>
            bytes is { } b ? new ReadOnlyMemory<byte>(b.ToArray()) : (ReadOnlyMemory<byte>?)null;
    }

    /// <summary>
    /// What a record counts against <see cref="ProducerOptions.BufferMemory"/>: its key, value and
    /// headers plus the most its varints and fields can take in a batch (so never an underestimate).
    /// </summary>
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

    /// <summary>One record of a batch: where its outcome goes, its timestamp and the caller's number for it (<see cref="Deliver"/>).</summary>
    private readonly record struct Waiter(object Sink, long Timestamp, long State);

    /// <summary>A batch being filled or sent: its encoder and its records' waiters, reused together.</summary>
    private sealed class BatchBuffer
    {
        public RecordBatchBuilder Builder { get; } = new();

        public List<Waiter> Waiters { get; } = [];

        public void Reset()
        {
            Builder.Reset();
            Waiters.Clear();
        }
    }

    private sealed record Pending(Accumulator Accumulator, BatchBuffer Buffer, long BufferedBytes)
    {
        public TopicPartition Partition => Accumulator.Partition;
    }

    private sealed class Accumulator(TopicPartition partition, TopicState topic, BatchBuffer buffer)
    {
        public TopicPartition Partition { get; } = partition;

        public TopicState Topic { get; } = topic;

        /// <summary>The batch being filled.</summary>
        public BatchBuffer Buffer { get; private set; } = buffer;

        /// <summary>The sequence number of the next batch's first record (idempotence). Touched only in send order.</summary>
        public int NextSequence { get; set; }

        /// <summary>Buffer bytes of the records in <see cref="Buffer"/>.</summary>
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
        public Pending Drain(BatchBuffer next)
        {
            var pending = new Pending(this, Buffer, BufferedBytes);
            Buffer = next;
            BufferedBytes = 0;
            Generation++;
            return pending;
        }
    }
}
