namespace Orka.Client.Consumer;

/// <summary>
/// Fetches records of the assigned partitions and hands them out in offset order per partition, as
/// Kafka's Fetcher: at most one fetch outstanding per partition, the fetch of its next records
/// while nothing of it is buffered, or the prefetch of the records after its buffer while the
/// application drains it. Also finds where a partition starts (the group's committed offset, else
/// <see cref="ConsumerOptions.AutoOffsetReset"/>) and wakes the consumer's read loop when a fetch
/// completes or something else (cancellation, a rebalance, a seek) needs it.
/// </summary>
/// <remarks>
/// <para>Touched only by the consumer's reader, except <see cref="Wake"/> (any thread: fetch
/// completions, the heartbeat), which with the wakeup task is guarded by a lock of its own. Owns the
/// fetched buffers (<see cref="FetchedRecords"/>), disposing each once drained or dropped.</para>
/// <para>What must stay true: a fetch is used only if the partition's position, once its buffer is
/// drained, is still the offset it was sent for (a seek or revocation makes it stale); the buffer
/// being drained is set only while its partition is assigned and not paused, so taking a record
/// needs no look-ups.</para>
/// </remarks>
internal sealed class Fetcher(IClusterClient client, ConsumerOptions options, TimeProvider time, SubscriptionState subscriptions)
{
    private readonly Dictionary<TopicPartition, PendingFetch> _fetches = [];

    // Fetched records not yet delivered, per partition.
    private readonly Dictionary<TopicPartition, FetchedRecords> _buffers = [];

    // Partitions with fetched records, in the order they came back (entries of dropped buffers are
    // skipped when reached), and the buffer being drained.
    private readonly Queue<TopicPartition> _ready = new();
    private FetchedRecords? _draining;

    // Completed fetches of partitions whose buffer has drained; reused by every collection.
    private readonly List<(TopicPartition Partition, PendingFetch Fetch)> _collectable = [];

    private readonly Lock _wakeupLock = new();
    private TaskCompletionSource _wakeup = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a fetch completes or <see cref="Wake"/> is called; <see cref="Rearm"/> after waking.</summary>
    public Task Wakeup
    {
        get
        {
            lock (_wakeupLock)
            {
                return _wakeup.Task;
            }
        }
    }

    /// <summary>Wakes the read loop. Any thread.</summary>
    public void Wake()
    {
        lock (_wakeupLock)
        {
            _wakeup.TrySetResult();
        }
    }

    /// <summary>After a wakeup: a new wakeup task (whoever woke the loop set its flag first; the next turn reads it).</summary>
    public void Rearm()
    {
        lock (_wakeupLock)
        {
            if (_wakeup.Task.IsCompleted)
            {
                _wakeup = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>
    /// Takes the next record: drains one partition's fetched records, then moves to the next partition
    /// that has some (in the order their fetches came back), skipping paused and revoked partitions.
    /// O(1) per record, with no hashing while a buffer drains.
    /// </summary>
    public bool TryTake(out ConsumeResult record)
    {
        while (true)
        {
            if (_draining is { } buffer)
            {
                if (buffer.TryTake(out record!))
                {
                    return true;
                }

                // Drained: the position moves past the whole batches read, and the partition's
                // prefetch (already under way from there) can now be collected.
                _draining = null;
                _buffers.Remove(buffer.Partition);
                buffer.Dispose();
                if (subscriptions.Positions.TryGetValue(buffer.Partition, out var position) && position < buffer.NextFetchOffset)
                {
                    subscriptions.Positions[buffer.Partition] = buffer.NextFetchOffset;
                }
            }

            if (!_ready.TryDequeue(out var next))
            {
                record = null!;
                return false;
            }

            if (!subscriptions.Paused.Contains(next) && subscriptions.Assignment.Contains(next) && _buffers.TryGetValue(next, out var found))
            {
                _draining = found;
            }
        }
    }

    /// <summary>Where each assigned partition without a position starts: the group's committed offset, else the reset policy.</summary>
    public async Task InitializePositionsAsync()
    {
        if (subscriptions.MissingPositions() is not { } missing)
        {
            return; // every turn of a caught-up consumer comes here: no allocation then
        }

        var committed = options.GroupId is null
            ? []
            : (await client.GetGrain<IConsumerGroupGrain>(options.GroupId).GetCommittedAsync()).ToDictionary(c => c.Partition, c => c.Offset);
        foreach (var tp in missing)
        {
            var offset = committed.TryGetValue(tp, out var c) ? c : await ResetOffsetAsync(tp);
            if (subscriptions.Assignment.Contains(tp) && !subscriptions.Positions.ContainsKey(tp))
            {
                subscriptions.Positions[tp] = offset;
            }
        }
    }

    /// <summary>
    /// Sends a fetch for every assigned, unpaused partition without one: from its position when
    /// nothing of it is buffered, else (a prefetch) from where its buffered records end.
    /// </summary>
    public void StartFetches()
    {
        foreach (var tp in subscriptions.Assignment)
        {
            if (subscriptions.Paused.Contains(tp) || _fetches.ContainsKey(tp))
            {
                continue;
            }

            if (_buffers.TryGetValue(tp, out var buffered))
            {
                StartFetch(tp, buffered.NextFetchOffset, TimeSpan.Zero);
            }
            else if (subscriptions.Positions.TryGetValue(tp, out var offset))
            {
                StartFetch(tp, offset, TimeSpan.Zero);
            }
        }
    }

    /// <summary>
    /// Moves completed fetches of partitions whose buffer has drained into new buffers and sends the
    /// next (prefetch) fetch of each at once; stale ones (seek, revoked) are dropped.
    /// </summary>
    /// <exception cref="OrkaException">CorruptMessage: stored data at a partition's position is corrupt.</exception>
    public async Task CollectFetchesAsync(CancellationToken cancellationToken)
    {
        _collectable.Clear();
        foreach (var (tp, fetch) in _fetches)
        {
            if (fetch.Task.IsCompleted && !_buffers.ContainsKey(tp))
            {
                _collectable.Add((tp, fetch));
            }
        }

        OrkaException? corrupt = null;
        foreach (var (tp, fetch) in _collectable)
        {
            _fetches.Remove(tp);
            if (!subscriptions.Assignment.Contains(tp) || subscriptions.Positions.GetValueOrDefault(tp, -1) != fetch.Offset)
            {
                continue;
            }

            try
            {
                var result = await fetch.Task;
                var buffer = FetchedRecords.Create(tp, fetch.Offset, result.Batches);
                if (buffer.NextFetchOffset > fetch.Offset)
                {
                    // Records are decoded as they are taken; a buffer whose batches hold none past
                    // the offset (a compacted log) drains at once and moves the position past them.
                    _buffers[tp] = buffer;
                    _ready.Enqueue(tp);
                    if (!subscriptions.Paused.Contains(tp))
                    {
                        StartFetch(tp, buffer.NextFetchOffset, TimeSpan.Zero);
                    }
                }
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.OffsetOutOfRange)
            {
                subscriptions.Positions[tp] = await ResetOffsetAsync(tp);
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.CorruptMessage)
            {
                // Stored data at this position is corrupt (the message names the partition and the
                // offsets): retrying cannot help, so the caller hears of it, and may seek past them.
                // The position stays, so the next consume meets it again, as with Kafka.
                corrupt ??= e;
            }
            catch (OrkaException e) when (e.IsRetriable && !cancellationToken.IsCancellationRequested)
            {
                // The partition's node is down or moving: ask again after a pause.
                StartFetch(tp, fetch.Offset, options.MaxFetchWait);
            }
        }

        if (corrupt is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(corrupt);
        }
    }

    /// <summary>Drops the partition's fetched records and its fetch under way (seek, revocation).</summary>
    public void Drop(TopicPartition tp)
    {
        StopDraining(tp);
        if (_buffers.Remove(tp, out var buffer))
        {
            buffer.Dispose();
        }

        if (_fetches.Remove(tp, out var stale))
        {
            Forget(stale.Task);
        }
    }

    /// <summary>
    /// Stops taking records from <paramref name="tp"/>'s buffer (paused, seeked or revoked); a kept
    /// buffer is drained again when its partition comes up in the ready queue (<see cref="Resume"/> puts it there).
    /// </summary>
    public void StopDraining(TopicPartition tp)
    {
        if (_draining?.Partition == tp)
        {
            _draining = null;
        }
    }

    /// <summary>A resumed partition: its fetched records, passed over while paused, are ready again.</summary>
    public void Resume(TopicPartition tp)
    {
        if (_buffers.ContainsKey(tp))
        {
            _ready.Enqueue(tp);
        }
    }

    /// <summary>Sends a fetch of <paramref name="tp"/> from <paramref name="offset"/> that wakes the read loop once it has completed.</summary>
    private void StartFetch(TopicPartition tp, long offset, TimeSpan delay)
    {
        var fetch = FetchAsync(tp, offset, delay);
        // A continuation, not a call inside FetchAsync: the loop must find the task completed when it wakes.
        _ = fetch.ContinueWith(static (_, f) => ((Fetcher)f!).Wake(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _fetches[tp] = new PendingFetch(offset, fetch);
    }

    private async Task<FetchResult> FetchAsync(TopicPartition tp, long offset, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time);
        }

        return await client.GetPartitionGrain(tp)
            .FetchAsync(new FetchRequest(offset, options.MaxFetchBytes, 1, options.MaxFetchWait));
    }

    private async Task<long> ResetOffsetAsync(TopicPartition tp)
    {
        var offsets = await client.GetPartitionGrain(tp).GetOffsetsAsync();
        return options.AutoOffsetReset == AutoOffsetReset.Earliest ? offsets.LogStartOffset : offsets.LogEndOffset;
    }

    /// <summary>Observes a fetch whose answer is no longer wanted, so its failure is not reported as unobserved.</summary>
    private static void Forget(Task task) => task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>
    /// A fetch under way: sent from <paramref name="Offset"/>, and usable only if the partition's
    /// position is still <paramref name="Offset"/> when it is collected (a seek or revocation moved it).
    /// </summary>
    private readonly record struct PendingFetch(long Offset, Task<FetchResult> Task);
}
