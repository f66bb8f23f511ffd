using System.Runtime.CompilerServices;

namespace Orka.Client;

// The read loop: fetches, buffers, delivery in offset order, auto-commit.
public sealed partial class OrkaConsumer
{
    // At most one outstanding fetch per partition: the fetch of its next records while nothing of
    // it is buffered, or the prefetch of the records after its buffer while the application drains
    // it (as Kafka's consumer sends the next fetch while the application processes the previous
    // one). A fetch is only used if the partition's position, once its buffer is drained, is still
    // the offset it was sent for: a seek or revocation makes it stale.
    private readonly Dictionary<TopicPartition, PendingFetch> _fetches = [];

    // Fetched records not yet delivered, per partition.
    private readonly Dictionary<TopicPartition, FetchedRecords> _buffers = [];

    // The partition whose record the application is processing (yielded, not yet moved past).
    private (TopicPartition Partition, long Offset)? _inFlight;

    private TaskCompletionSource _wakeup = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastAutoCommit;

    // Partitions with fetched records, in the order they came back (entries of dropped buffers are
    // skipped when reached), and the buffer being drained: only set while its partition is assigned
    // and not paused (Pause, Seek and SetAssignment clear it), so taking a record needs no lookups.
    private readonly Queue<TopicPartition> _ready = new();
    private FetchedRecords? _draining;

    /// <summary>
    /// Records from the assigned (or subscribed) partitions until <paramref name="cancellationToken"/>
    /// fires. Joins the group and handles rebalances between records. When the enumeration ends,
    /// auto-commit commits what the application moved past.
    /// </summary>
    public async IAsyncEnumerable<ConsumeResult> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Cancellation, like a completed fetch, wakes the loop (checked at the top of each turn).
        using var cancelled = cancellationToken.Register(static c => ((OrkaConsumer)c!).Wake(), this);
        var autoCommits = _options.EnableAutoCommit && _options.GroupId is not null;
        _lastAutoCommit = _time.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // The application asked for the next record: the previous one is processed.
                _inFlight = null;
                if (!_subscription.IsEmpty)
                {
                    await CheckMetadataAsync();
                    if (!await TryEnsureGroupMembershipAsync(cancellationToken))
                    {
                        yield break;
                    }
                }

                // Without a group there is nothing to commit: no clock read per record then.
                if (_options.EnableAutoCommit && _options.GroupId is not null && _time.GetElapsedTime(_lastAutoCommit) >= _options.AutoCommitInterval)
                {
                    await AutoCommitAsync();
                }

                if (TryTakeBuffered(out var record))
                {
                    _positions[record.Partition] = record.Offset + 1;
                    _inFlight = (record.Partition, record.Offset);
                    yield return record;
                    continue;
                }

                await InitializePositionsAsync();
                StartFetches();
                Task wakeup;
                lock (_sync)
                {
                    wakeup = _wakeup.Task;
                }

                // Every fetch wakes the loop when it completes (see StartFetch), so a consumer that is
                // caught up waits on one task per turn: no list of tasks and no WhenAny per fetch.
                if (autoCommits)
                {
                    var untilCommit = _options.AutoCommitInterval - _time.GetElapsedTime(_lastAutoCommit);
                    await Task.WhenAny(wakeup, Task.Delay(untilCommit > TimeSpan.Zero ? untilCommit : TimeSpan.Zero, _time, CancellationToken.None));
                }
                else
                {
                    await wakeup;
                }

                lock (_sync)
                {
                    if (_wakeup.Task.IsCompleted)
                    {
                        // Whoever woke us set its flag first; the next turn reads it.
                        _wakeup = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                await CollectFetchesAsync(cancellationToken);
            }
        }
        finally
        {
            if (_options.EnableAutoCommit && !_disposed)
            {
                await AutoCommitAsync();
            }
        }
    }

    /// <summary>False when the enumeration was cancelled while the consumer (re)joined its group.</summary>
    private async Task<bool> TryEnsureGroupMembershipAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureGroupMembershipAsync(cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Takes the next record: drains one partition's fetched records, then moves to the next partition
    /// that has some (in the order their fetches came back), skipping paused and revoked partitions.
    /// O(1) per record, with no hashing while a buffer drains.
    /// </summary>
    private bool TryTakeBuffered(out ConsumeResult record)
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
                if (_positions.TryGetValue(buffer.Partition, out var position) && position < buffer.NextFetchOffset)
                {
                    _positions[buffer.Partition] = buffer.NextFetchOffset;
                }
            }

            if (!_ready.TryDequeue(out var next))
            {
                record = null!;
                return false;
            }

            if (!_paused.Contains(next) && _assignment.Contains(next) && _buffers.TryGetValue(next, out var found))
            {
                _draining = found;
            }
        }
    }

    /// <summary>Where a partition starts: the group's committed offset, else the reset policy.</summary>
    private async Task InitializePositionsAsync()
    {
        List<TopicPartition>? missing = null;
        foreach (var tp in _assignment)
        {
            if (!_positions.ContainsKey(tp))
            {
                (missing ??= []).Add(tp);
            }
        }

        if (missing is null)
        {
            return; // every turn of a caught-up consumer comes here: no allocation then
        }

        var committed = _options.GroupId is null
            ? []
            : (await Group().GetCommittedAsync()).ToDictionary(c => c.Partition, c => c.Offset);
        foreach (var tp in missing)
        {
            var offset = committed.TryGetValue(tp, out var c) ? c : await ResetOffsetAsync(tp);
            if (_assignment.Contains(tp) && !_positions.ContainsKey(tp))
            {
                _positions[tp] = offset;
            }
        }
    }

    /// <summary>
    /// Sends a fetch for every assigned, unpaused partition without one: from its position when
    /// nothing of it is buffered, else (a prefetch) from where its buffered records end.
    /// </summary>
    private void StartFetches()
    {
        foreach (var tp in _assignment)
        {
            if (_paused.Contains(tp) || _fetches.ContainsKey(tp))
            {
                continue;
            }

            if (_buffers.TryGetValue(tp, out var buffered))
            {
                StartFetch(tp, buffered.NextFetchOffset, TimeSpan.Zero);
            }
            else if (_positions.TryGetValue(tp, out var offset))
            {
                StartFetch(tp, offset, TimeSpan.Zero);
            }
        }
    }

    /// <summary>Sends a fetch of <paramref name="tp"/> from <paramref name="offset"/> that wakes the read loop once it has completed.</summary>
    private void StartFetch(TopicPartition tp, long offset, TimeSpan delay)
    {
        var fetch = FetchAsync(tp, offset, delay);
        // A continuation, not a call inside FetchAsync: the loop must find the task completed when it wakes.
        _ = fetch.ContinueWith(static (_, c) => ((OrkaConsumer)c!).Wake(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _fetches[tp] = new PendingFetch(offset, fetch);
    }

    // Completed fetches of partitions whose buffer has drained; reused by every collection.
    private readonly List<(TopicPartition Partition, PendingFetch Fetch)> _collectable = [];

    /// <summary>
    /// Moves completed fetches of partitions whose buffer has drained into new buffers and sends the
    /// next (prefetch) fetch of each at once; stale ones (seek, revoked) are dropped.
    /// </summary>
    private async Task CollectFetchesAsync(CancellationToken cancellationToken)
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
            if (!_assignment.Contains(tp) || _positions.GetValueOrDefault(tp, -1) != fetch.Offset)
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
                    if (!_paused.Contains(tp))
                    {
                        StartFetch(tp, buffer.NextFetchOffset, TimeSpan.Zero);
                    }
                }
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.OffsetOutOfRange)
            {
                _positions[tp] = await ResetOffsetAsync(tp);
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
                StartFetch(tp, fetch.Offset, _options.MaxFetchWait);
            }
        }

        if (corrupt is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(corrupt);
        }
    }

    private async Task<FetchResult> FetchAsync(TopicPartition tp, long offset, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time);
        }

        return await _client.GetPartitionGrain(tp)
            .FetchAsync(new FetchRequest(offset, _options.MaxFetchBytes, 1, _options.MaxFetchWait));
    }

    private void DropBuffered(TopicPartition tp)
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
    /// buffer is drained again when its partition comes up in the ready queue (Resume puts it there).
    /// </summary>
    private void StopDraining(TopicPartition tp)
    {
        if (_draining?.Partition == tp)
        {
            _draining = null;
        }
    }

    /// <summary>Observes a fetch whose answer is no longer wanted, so its failure is not reported as unobserved.</summary>
    private static void Forget(Task task) => task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private void Wake()
    {
        lock (_sync)
        {
            _wakeup.TrySetResult();
        }
    }

    private async Task<long> ResetOffsetAsync(TopicPartition tp)
    {
        var offsets = await _client.GetPartitionGrain(tp).GetOffsetsAsync();
        return _options.AutoOffsetReset == AutoOffsetReset.Earliest ? offsets.LogStartOffset : offsets.LogEndOffset;
    }
}
