namespace Orka.Client.Producer;

/// <summary>
/// The producer's memory, as Kafka's BufferPool: the bound on bytes of records accepted and not yet
/// acknowledged or failed (<see cref="ProducerOptions.BufferMemory"/>, counted in
/// <see cref="QueuedRecord.EstimateSize"/> estimates), the records waiting for space, and the spare
/// batch buffers kept for reuse.
/// </summary>
/// <remarks>
/// <para>All state is guarded by the producer's one lock, passed in; methods say whether they take it
/// or expect it held. Records waiting for space are let in first come first served, nobody
/// overtaking (a small record cannot starve a big one, and a partition's records keep their order);
/// each waiting record holds copies of its bytes. A record let in is handed, under the lock and in
/// order, to the accept callback (the accumulator).</para>
/// <para>Spare batches: a finished batch's builder keeps its buffer (up to a batch size) and its
/// waiter list its capacity, so reusing them spares growing fresh ones (to 1 MiB, and to a
/// large-object array at 100 B records) per batch. As many are kept as the buffer memory holds
/// batches (at least 16, at most 1024), so a producer at full speed never allocates a batch buffer.</para>
/// </remarks>
internal sealed class BufferPool(ProducerOptions options, Lock sync, TimeProvider time, Action<QueuedRecord> accept)
{
    private static readonly Task<bool> Accepted = Task.FromResult(true);

    private readonly LinkedList<BlockedRecord> _blocked = [];
    private readonly Stack<ProducerBatch> _spareBatches = new();
    private long _bufferedBytes;
    private bool _closed;

    /// <summary>Bytes currently held by accepted records. Takes the lock.</summary>
    public long BufferedBytes
    {
        get
        {
            lock (sync)
            {
                return _bufferedBytes;
            }
        }
    }

    /// <summary>Spare batches kept for reuse. Takes the lock.</summary>
    public int SpareBatches
    {
        get
        {
            lock (sync)
            {
                return _spareBatches.Count;
            }
        }
    }

    /// <summary>How many spare batches to keep.</summary>
    public int MaxSpareBatches => (int)Math.Clamp(options.BufferMemory / options.BatchSize, 16, 1024);

    /// <summary>The deliveries of the records waiting for space. Holds the lock.</summary>
    public IEnumerable<IDeliverySink> BlockedDeliveries => _blocked.Select(b => b.Record.Delivery);

    /// <summary>Throws once the producer is closed. Holds the lock.</summary>
    public void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, typeof(OrkaProducer));

    /// <summary>Refuses further records. Takes the lock.</summary>
    public void Close()
    {
        lock (sync)
        {
            _closed = true;
        }
    }

    /// <summary>The common path: takes <paramref name="size"/> bytes when nobody waits and they fit. Holds the lock.</summary>
    public bool TryReserve(int size)
    {
        if (_blocked.Count != 0 || _bufferedBytes + size > options.BufferMemory)
        {
            return false;
        }

        _bufferedBytes += size;
        return true;
    }

    /// <summary>
    /// Takes buffer space for <paramref name="record"/> and accepts it, at once when there is space and
    /// nobody waits, else after waiting, at most <see cref="ProducerOptions.MaxBlock"/>. False when the
    /// wait failed (MaxBlock or cancellation); the record's delivery then carries the reason. Never
    /// faults. Takes the lock.
    /// </summary>
    public Task<bool> ReserveAndAccept(QueuedRecord record, CancellationToken cancellationToken)
    {
        LinkedListNode<BlockedRecord> node;
        lock (sync)
        {
            ThrowIfClosed();
            if (TryReserve(record.Size))
            {
                accept(record);
                return Accepted;
            }

            node = _blocked.AddLast(new BlockedRecord(record.Detached()));
        }

        return WaitForSpaceAsync(node, cancellationToken);
    }

    /// <summary>Returns the space of acknowledged or failed records and lets waiting records in. Takes the lock.</summary>
    public void Release(long bytes)
    {
        lock (sync)
        {
            _bufferedBytes -= bytes;
            AcceptBlocked();
        }
    }

    /// <summary>A spare batch or a new one. Holds the lock.</summary>
    public ProducerBatch RentBatch() => _spareBatches.TryPop(out var batch) ? batch : new ProducerBatch();

    /// <summary>Keeps a finished batch for reuse (when fewer than <see cref="MaxSpareBatches"/> are kept). Holds the lock.</summary>
    public void ReturnBatch(ProducerBatch batch)
    {
        if (_spareBatches.Count < MaxSpareBatches)
        {
            batch.Reset();
            _spareBatches.Push(batch);
        }
    }

    private async Task<bool> WaitForSpaceAsync(LinkedListNode<BlockedRecord> node, CancellationToken cancellationToken)
    {
        var blocked = node.Value;
        try
        {
            await blocked.Accepted.Task.WaitAsync(options.MaxBlock, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (sync)
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
                            $"No space in the producer's buffer ({options.BufferMemory} bytes) within {options.MaxBlock} (MaxBlock)."));
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

    /// <summary>Accepts waiting records in order while they fit. Holds the lock.</summary>
    private void AcceptBlocked()
    {
        while (_blocked.First is { } first && _bufferedBytes + first.Value.Record.Size <= options.BufferMemory)
        {
            _blocked.RemoveFirst();
            _bufferedBytes += first.Value.Record.Size;
            accept(first.Value.Record);
            first.Value.Accepted.TrySetResult();
        }
    }

    private sealed record BlockedRecord(QueuedRecord Record)
    {
        public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
