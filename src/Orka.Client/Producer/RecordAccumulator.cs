using System.Globalization;
using Orka.Records;

namespace Orka.Client.Producer;

/// <summary>
/// Collects records into per-partition batches, as Kafka's RecordAccumulator: picks the partition
/// (the caller's, the key's murmur2, or the topic's sticky one), encodes the record into that
/// partition's open batch at once, and seals the batch when the next record would take it past the
/// batch limit (<see cref="ProducerOptions.BatchSize"/>, or the topic's max.message.bytes when lower)
/// or when <see cref="ProducerOptions.Linger"/> expires; sealed batches go to the <see cref="Sender"/>
/// chained behind their partition's previous one. Also looks up each topic's metadata once, parking
/// the topic's records meanwhile.
/// </summary>
/// <remarks>
/// <para>Everything is guarded by the producer's one lock (passed in): <see cref="TryAppend"/> takes it;
/// the rest expects it held unless it says otherwise. The common path (<see cref="TryAppend"/>: metadata
/// known, nothing waiting, space in the buffer) allocates nothing per record: the record is encoded
/// straight into the open batch's buffer and its outcome target stored as a <see cref="Waiter"/> struct.</para>
/// <para>What must stay true: a batch never grows past its limit except by a single record bigger than
/// the limit on its own (which gets a batch of its own, and fails there alone); a partition's batches
/// are sent in the order they were sealed; a linger-expired batch of a partition with a batch still
/// unanswered waits (collecting records) and goes out the moment the partition is idle, as Kafka's
/// sender does, so a short linger under load does not send one tiny batch per record.</para>
/// </remarks>
internal sealed class RecordAccumulator(
    ProducerOptions options, Lock sync, BufferPool pool, Sender sender, IProducerCluster cluster, TimeProvider time, Random random)
{
    /// <summary>max.message.bytes of a topic that does not set it (the log's default).</summary>
    private static readonly int DefaultMaxMessageBytes = int.Parse(TopicConfigCatalog.DefaultOf(TopicConfigCatalog.MaxMessageBytes), CultureInfo.InvariantCulture);

    private readonly Dictionary<string, ProducerTopic> _topics = [];
    private readonly List<PartitionBatches> _partitions = [];

    /// <summary>The topic of the last call and its state: a producer mostly writes to one topic, so this spares the look-up.</summary>
    private (string Name, ProducerTopic State)? _lastTopic;

    /// <summary>
    /// The common path. Takes the lock; appends the record when the producer is open, the topic's
    /// metadata is known, none of its records wait for it and the <see cref="BufferPool"/> has space
    /// with nobody waiting. False when the record has to take the queued path instead. Throws for a
    /// closed producer or a bad topic name.
    /// </summary>
    public bool TryAppend(
        string topic, int partition, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers,
        long timestamp, int size, object sink, long callerState)
    {
        lock (sync)
        {
            pool.ThrowIfClosed();
            var state = TopicFor(topic);
            if (state.Metadata is not { } metadata || state.Waiting.Count != 0 || !pool.TryReserve(size))
            {
                return false;
            }

            Append(state, metadata, partition, key, value, headers, timestamp, size, sink, callerState);
            return true;
        }
    }

    /// <summary>Puts an accepted record (its space taken) into its partition's batch, or parks it until its topic's metadata is known.</summary>
    public void Accept(QueuedRecord record)
    {
        var state = TopicFor(record.Topic);
        if (state.Metadata is { } metadata && state.Waiting.Count == 0)
        {
            Append(state, metadata, record.Partition, record.Key, record.Value, record.Headers, record.Timestamp, record.Size, record.Delivery, 0);
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

    /// <summary>The deliveries of the records not in a batch yet: waiting for buffer space or for their topic's metadata. Takes the lock.</summary>
    public List<IDeliverySink> UnbatchedDeliveries()
    {
        lock (sync)
        {
            return [.. pool.BlockedDeliveries, .. _topics.Values.SelectMany(t => t.Waiting).Select(r => r.Delivery)];
        }
    }

    /// <summary>The metadata look-ups under way (they never fault). Takes the lock.</summary>
    public List<Task> MetadataLoads()
    {
        lock (sync)
        {
            return _topics.Values.Select(t => t.Loading).ToList();
        }
    }

    /// <summary>Seals every non-empty open batch and returns each partition's last batch (tasks that never fault). Takes the lock.</summary>
    public List<Task> SealAll()
    {
        lock (sync)
        {
            foreach (var batches in _partitions)
            {
                if (batches.Open.Waiters.Count > 0)
                {
                    Seal(batches, force: true);
                }
            }

            return _partitions.Select(a => a.Tail).ToList();
        }
    }

    /// <summary>
    /// Called by the <see cref="Sender"/> once a batch's records are reported: keeps its buffer for
    /// reuse when the call is over, and sends the partition's open batch if a linger expired meanwhile.
    /// Takes the lock.
    /// </summary>
    public void Finished(SealedBatch batch, bool reusable)
    {
        lock (sync)
        {
            if (reusable)
            {
                pool.ReturnBatch(batch.Batch);
            }

            var owner = batch.Owner;
            if (--owner.Unfinished == 0 && owner.SendWhenIdle && owner.Open.Waiters.Count > 0)
            {
                Seal(owner, force: true);
            }
        }
    }

    /// <summary>The topic's state, made (after checking the name) on first use.</summary>
    private ProducerTopic TopicFor(string topic)
    {
        if (_lastTopic is { } last && ReferenceEquals(last.Name, topic))
        {
            return last.State;
        }

        if (!_topics.TryGetValue(topic, out var state))
        {
            Names.ValidateTopicName(topic);
            state = _topics[topic] = new ProducerTopic();
        }

        _lastTopic = (topic, state);
        return state;
    }

    /// <summary>Looks the topic up and appends what waited for it; on failure fails those records and gives their space back. Never faults.</summary>
    private async Task LoadMetadataAsync(string topic, ProducerTopic state)
    {
        TopicMetadata? metadata = null;
        Exception? failure = null;
        try
        {
            metadata = await cluster.GetTopicAsync(topic).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }

        List<QueuedRecord> waiting;
        lock (sync)
        {
            waiting = state.Waiting;
            state.Waiting = [];
            if (metadata is not null)
            {
                state.SetMetadata(metadata, BatchLimit(metadata));
                foreach (var record in waiting)
                {
                    Append(state, metadata, record.Partition, record.Key, record.Value, record.Headers, record.Timestamp, record.Size, record.Delivery, 0);
                }

                return;
            }
        }

        // The next call looks the topic up again.
        waiting.ForEach(r => r.Delivery.Fail(failure!));
        pool.Release(waiting.Sum(r => (long)r.Size));
    }

    /// <summary>
    /// Encodes a record into its partition's open batch and seals the batch if it is full.
    /// <paramref name="sink"/> is where the outcome goes and <paramref name="callerState"/> what goes with it (see <see cref="Waiter"/>).
    /// <paramref name="chosen"/> is the caller's partition, -1 for the key's (or the sticky one).
    /// </summary>
    private void Append(
        ProducerTopic state, TopicMetadata metadata, int chosen, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers,
        long timestamp, int size, object sink, long callerState)
    {
        if (chosen >= metadata.PartitionCount)
        {
            FailUnknownPartition(metadata, chosen, new Waiter(sink, timestamp, callerState), size);
            return;
        }

        var partition = chosen >= 0 ? chosen
            : key is { } k ? Murmur2Partitioner.Partition(k.Span, metadata.PartitionCount)
            : state.StickyPartition(random);
        // A record that does not fit seals the batch it would overfill; only a record bigger than
        // the limit on its own makes a batch that large (and fails there).
        var limit = state.BatchLimit;
        var batches = BatchesFor(state, metadata.Name, partition);
        if (batches.WouldOverfill(size, limit))
        {
            Seal(batches, force: true);
            if (key is null && chosen < 0)
            {
                state.MoveSticky();
                batches = BatchesFor(state, metadata.Name, state.StickyPartition(random));
                if (batches.WouldOverfill(size, limit))
                {
                    Seal(batches, force: true);
                }
            }
        }

        var open = batches.Open;
        open.Builder.Append(
            timestamp,
            key is { } keyBytes ? keyBytes.Span : default,
            value is { } valueBytes ? valueBytes.Span : default,
            headers,
            key is null,
            value is null);
        open.Waiters.Add(new Waiter(sink, timestamp, callerState));
        batches.BufferedBytes += size;
        if (open.Builder.SizeInBytes >= limit)
        {
            if (key is null && chosen < 0)
            {
                state.MoveSticky();
            }

            Seal(batches, force: true);
        }
        else if (open.Waiters.Count == 1)
        {
            _ = LingerAsync(batches, batches.Generation);
        }
    }

    /// <summary>
    /// Fails a record sent to a partition the topic does not have, off the lock as a batch's outcome
    /// is. A method of its own: a lambda in <see cref="Append"/> capturing its parameters would cost a
    /// closure object on every call, not only on this path.
    /// </summary>
    private void FailUnknownPartition(TopicMetadata metadata, int partition, Waiter waiter, int size)
    {
        var error = new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic {metadata.Name} has no partition {partition} (it has {metadata.PartitionCount}).");
        _ = Task.Run(() =>
        {
            waiter.Report(null, error);
            pool.Release(size);
        });
    }

    private PartitionBatches BatchesFor(ProducerTopic state, string topic, int partition)
    {
        if (state.Partitions[partition] is not { } batches)
        {
            batches = state.Partitions[partition] = new PartitionBatches(new TopicPartition(topic, partition), state, pool.RentBatch());
            _partitions.Add(batches);
        }

        return batches;
    }

    /// <summary>The most bytes one batch of the topic may have: the batch size, or less when the topic's max.message.bytes is lower.</summary>
    private int BatchLimit(TopicMetadata metadata)
    {
        var max = metadata.Config.TryGetValue(TopicConfigCatalog.MaxMessageBytes, out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var configured)
            ? configured
            : DefaultMaxMessageBytes;
        return Math.Min(options.BatchSize, max);
    }

    private async Task LingerAsync(PartitionBatches batches, long generation)
    {
        await Task.Delay(options.Linger, time).ConfigureAwait(false);
        lock (sync)
        {
            if (batches.Generation == generation && batches.Open.Waiters.Count > 0)
            {
                batches.Topic.MoveSticky();
                Seal(batches);
            }
        }
    }

    /// <summary>
    /// Chains the partition's open batch behind its previous one (so chain order is seal order). A
    /// batch that is not full (<paramref name="force"/> false: linger expired) waits instead while an
    /// earlier batch of the partition is unfinished, and keeps collecting records.
    /// </summary>
    private void Seal(PartitionBatches batches, bool force = false)
    {
        if (!force && batches.Unfinished > 0)
        {
            batches.SendWhenIdle = true;
            return;
        }

        batches.SendWhenIdle = false;
        batches.Unfinished++;
        batches.Tail = sender.SendAfterAsync(batches.Tail, batches.Seal(pool.RentBatch()), this);
    }
}
