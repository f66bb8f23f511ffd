using System.Runtime.CompilerServices;
using Orka.Storage;

namespace Orka.Client;

// The read loop: fetches, buffers, delivery in offset order, auto-commit.
public sealed partial class OrkaConsumer
{
    // One outstanding fetch per partition, and the offset it asked for (a seek makes it stale).
    private readonly Dictionary<TopicPartition, (long Offset, Task<FetchResult> Task)> _fetches = [];

    // Fetched records not yet delivered, per partition, and where the fetched whole batches end (a
    // compacted batch can end past its last record: the position moves there once the buffer drains).
    private readonly Dictionary<TopicPartition, Queue<ConsumeResult>> _buffers = [];
    private readonly Dictionary<TopicPartition, long> _batchEnds = [];

    // The partition whose record the application is processing (yielded, not yet moved past).
    private (TopicPartition Partition, long Offset)? _inFlight;

    private TaskCompletionSource _wakeup = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastAutoCommit;

    // Partitions with fetched records, in the order they came back (entries of dropped buffers are
    // skipped when reached), and the partition being drained.
    private readonly Queue<TopicPartition> _ready = new();
    private TopicPartition? _draining;

    /// <summary>
    /// Records from the assigned (or subscribed) partitions until <paramref name="cancellationToken"/>
    /// fires. Joins the group and handles rebalances between records. When the enumeration ends,
    /// auto-commit commits what the application moved past.
    /// </summary>
    public async IAsyncEnumerable<ConsumeResult> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
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

                if (_options.EnableAutoCommit && _time.GetElapsedTime(_lastAutoCommit) >= _options.AutoCommitInterval)
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

                var waitFor = _fetches.Values.Select(f => (Task)f.Task).Append(wakeup).Append(cancelled);
                if (_options.EnableAutoCommit)
                {
                    var untilCommit = _options.AutoCommitInterval - _time.GetElapsedTime(_lastAutoCommit);
                    waitFor = waitFor.Append(Task.Delay(untilCommit > TimeSpan.Zero ? untilCommit : TimeSpan.Zero, _time, CancellationToken.None));
                }

                await Task.WhenAny(waitFor);
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
    /// Takes the next record: drains one partition's fetched batch, then moves to the next partition
    /// that has one (in the order their fetches came back), skipping paused and revoked partitions.
    /// O(1) per record.
    /// </summary>
    private bool TryTakeBuffered(out ConsumeResult record)
    {
        while (true)
        {
            if (_draining is { } tp)
            {
                if (!_paused.Contains(tp) && _assignment.Contains(tp) && _buffers.TryGetValue(tp, out var buffer) && buffer.TryDequeue(out record!))
                {
                    if (buffer.Count == 0)
                    {
                        _buffers.Remove(tp);
                        _draining = null;
                    }

                    return true;
                }

                _draining = null;
            }

            if (!_ready.TryDequeue(out var next))
            {
                record = null!;
                return false;
            }

            _draining = next;
        }
    }

    /// <summary>Where a partition starts: the group's committed offset, else the reset policy.</summary>
    private async Task InitializePositionsAsync()
    {
        var missing = _assignment.Where(tp => !_positions.ContainsKey(tp)).ToList();
        if (missing.Count == 0)
        {
            return;
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

    private void StartFetches()
    {
        foreach (var tp in _assignment)
        {
            if (!_paused.Contains(tp) && !_fetches.ContainsKey(tp) && !_buffers.ContainsKey(tp) && _positions.TryGetValue(tp, out var offset))
            {
                _fetches[tp] = (offset, FetchAsync(tp, offset, TimeSpan.Zero));
            }
        }
    }

    /// <summary>Moves completed fetches into the buffers; stale ones (seek, revoked) are dropped.</summary>
    private async Task CollectFetchesAsync(CancellationToken cancellationToken)
    {
        foreach (var (tp, (offset, task)) in _fetches.Where(f => f.Value.Task.IsCompleted).ToList())
        {
            _fetches.Remove(tp);
            if (!_assignment.Contains(tp) || _positions.GetValueOrDefault(tp, -1) != offset)
            {
                continue;
            }

            try
            {
                var result = await task;
                var buffer = new Queue<ConsumeResult>();
                foreach (var record in RecordBatchReader.ReadRecords(result.Batches))
                {
                    if (record.Offset >= offset)
                    {
                        buffer.Enqueue(new ConsumeResult(tp, record.Offset, record.Timestamp, record.Key, record.Value, record.Headers));
                    }
                }

                var end = EndOfWholeBatches(result.Batches.Span);
                if (buffer.Count > 0)
                {
                    _buffers[tp] = buffer;
                    _ready.Enqueue(tp);
                }
                else if (end > offset)
                {
                    // In a compacted log a batch can end with offsets whose records are gone: move past
                    // the whole batches read, or the same fetch would come back forever.
                    _positions[tp] = end;
                }
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.OffsetOutOfRange)
            {
                _positions[tp] = await ResetOffsetAsync(tp);
            }
            catch (OrkaException e) when (e.IsRetriable && !cancellationToken.IsCancellationRequested)
            {
                // The partition's node is down or moving: ask again after a pause.
                _fetches[tp] = (offset, FetchAsync(tp, offset, _options.MaxFetchWait));
            }
        }
    }

    private async Task<FetchResult> FetchAsync(TopicPartition tp, long offset, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time);
        }

        return await _client.GetGrain<IPartitionGrain>(tp.ToGrainKey())
            .FetchAsync(new FetchRequest(offset, _options.MaxFetchBytes, 1, _options.MaxFetchWait));
    }

    private void DropBuffered(TopicPartition tp)
    {
        _buffers.Remove(tp);
        if (_fetches.Remove(tp, out var stale))
        {
            Forget(stale.Task);
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

    /// <summary>The offset after the last whole batch in <paramref name="batches"/>, or -1 if there is none.</summary>
    private static long EndOfWholeBatches(ReadOnlySpan<byte> batches)
    {
        var end = -1L;
        foreach (var (header, _) in RecordBatchHeader.Enumerate(batches))
        {
            end = header.LastOffset + 1;
        }

        return end;
    }

    private async Task<long> ResetOffsetAsync(TopicPartition tp)
    {
        var offsets = await _client.GetGrain<IPartitionGrain>(tp.ToGrainKey()).GetOffsetsAsync();
        return _options.AutoOffsetReset == AutoOffsetReset.Earliest ? offsets.LogStartOffset : offsets.LogEndOffset;
    }
}
