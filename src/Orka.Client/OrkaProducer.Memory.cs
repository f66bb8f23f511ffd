namespace Orka.Client;

/// <summary>The buffer bound (<see cref="ProducerOptions.BufferMemory"/>) and the records waiting for space.</summary>
public sealed partial class OrkaProducer
{
    /// <summary>Bytes of the records accepted and not yet acknowledged or failed (estimates, see <see cref="QueuedRecord.Size"/>).</summary>
    private long _bufferedBytes;

    /// <summary>Records waiting for space, first come first served; each holds copies of its bytes.</summary>
    private readonly LinkedList<BlockedRecord> _blocked = [];

    /// <summary>Bytes currently held by accepted records (for tests and diagnostics).</summary>
    internal long BufferedBytes
    {
        get
        {
            lock (_lock)
            {
                return _bufferedBytes;
            }
        }
    }

    /// <summary>
    /// Takes buffer space for <paramref name="record"/> and accepts it, at once when there is space and
    /// nobody waits, else after waiting. The result is false when the wait failed (MaxBlock or
    /// cancellation); the record's delivery then carries the reason. Never faults.
    /// </summary>
    private Task<bool> ReserveAndAccept(QueuedRecord record, CancellationToken cancellationToken)
    {
        LinkedListNode<BlockedRecord> node;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // Nobody may overtake a waiting record, or a small record could starve a big one and
            // records of one partition could change order.
            if (_blocked.Count == 0 && _bufferedBytes + record.Size <= _options.BufferMemory)
            {
                _bufferedBytes += record.Size;
                Accept(record);
                return Accepted;
            }

            node = _blocked.AddLast(new BlockedRecord(record.Detached()));
        }

        return WaitForSpaceAsync(node, cancellationToken);
    }

    private static readonly Task<bool> Accepted = Task.FromResult(true);

    private async Task<bool> WaitForSpaceAsync(LinkedListNode<BlockedRecord> node, CancellationToken cancellationToken)
    {
        var blocked = node.Value;
        try
        {
            await blocked.Accepted.Task.WaitAsync(_options.MaxBlock, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    // Still waiting: withdraw it, then let whoever was behind it move up.
                    _blocked.Remove(node);
                    AcceptBlocked();
                    if (e is TimeoutException)
                    {
                        blocked.Record.Delivery.Fail(new OrkaException(
                            OrkaErrorCode.RequestTimedOut,
                            $"No space in the producer's buffer ({_options.BufferMemory} bytes) within {_options.MaxBlock} (MaxBlock)."));
                    }
                    else
                    {
                        blocked.Record.Delivery.Fail(new OperationCanceledException(cancellationToken));
                    }

                    return false;
                }
            }

            // Accepted at the last moment: the record is on its way, so report it as such.
        }

        return true;
    }

    /// <summary>Returns the space of acknowledged or failed records and lets waiting records in.</summary>
    private void Release(long bytes)
    {
        lock (_lock)
        {
            _bufferedBytes -= bytes;
            AcceptBlocked();
        }
    }

    /// <summary>Accepts waiting records in order while they fit. Holds the lock.</summary>
    private void AcceptBlocked()
    {
        while (_blocked.First is { } first && _bufferedBytes + first.Value.Record.Size <= _options.BufferMemory)
        {
            _blocked.RemoveFirst();
            _bufferedBytes += first.Value.Record.Size;
            Accept(first.Value.Record);
            first.Value.Accepted.TrySetResult();
        }
    }

    private sealed record BlockedRecord(QueuedRecord Record)
    {
        public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
