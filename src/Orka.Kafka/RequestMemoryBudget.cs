namespace Orka.Kafka;

/// <summary>
/// The bytes of request frames a node holds at once, across all Kafka connections (Kafka's
/// <c>queued.max.request.bytes</c>, <c>Orka:Kafka:QueuedMaxRequestBytes</c>). A connection reserves a
/// frame's size as soon as it has read the size prefix, before it buffers the body, and the
/// reservation is released when the frame's response has been written (or the connection drops
/// the frame). A reservation that does not fit waits, first come first served, so its
/// connection stops being read and TCP pushes back on that client; the budget is never exceeded.
/// </summary>
/// <remarks>
/// Thread-safe; one lock, taken twice per request. What is counted is what a client can make the
/// node hold: a frame stalled mid-body holds its reservation until the request read timeout closes
/// its connection. Not counted: the parsed form of a request (bounded by
/// <c>Orka:Kafka:MaxRequestArrayElements</c>), responses, and each connection's receive pipe.
/// </remarks>
public sealed class RequestMemoryBudget(long capacity)
{
    private readonly object _lock = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Granted)> _waiting = new();
    private long _used;

    /// <summary>The whole budget in bytes; a frame larger than this can never be read.</summary>
    public long Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), "The request memory budget must be positive.");

    /// <summary>Bytes reserved now.</summary>
    public long Used
    {
        get
        {
            lock (_lock)
            {
                return _used;
            }
        }
    }

    /// <summary>The most bytes ever reserved at once (for tests and benchmarks).</summary>
    public long PeakUsed { get; private set; }

    /// <summary>Reservations waiting for bytes to be released.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> (at most <see cref="Capacity"/>), waiting until they fit.
    /// Cancelled: nothing stays reserved.
    /// </summary>
    public ValueTask ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, Capacity);
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_lock)
        {
            if (_waiting.Count == 0 && _used + bytes <= Capacity)
            {
                Take(bytes);
                return ValueTask.CompletedTask;
            }

            node = _waiting.AddLast((bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        }

        return new ValueTask(WaitAsync(node, cancellationToken));
    }

    private async Task WaitAsync(LinkedListNode<(long Bytes, TaskCompletionSource Granted)> node, CancellationToken cancellationToken)
    {
        await using var registration = cancellationToken.Register(() =>
        {
            List<TaskCompletionSource> granted;
            lock (_lock)
            {
                if (node.List is null)
                {
                    return; // granted already: the caller owns the bytes
                }

                _waiting.Remove(node);
                granted = GrantWaiting(); // the head may have changed
            }

            node.Value.Granted.TrySetCanceled(cancellationToken);
            foreach (var waiter in granted)
            {
                waiter.TrySetResult();
            }
        });
        await node.Value.Granted.Task;
    }

    /// <summary>Gives back bytes reserved before; waiting reservations that now fit are granted in order.</summary>
    public void Release(long bytes)
    {
        List<TaskCompletionSource> granted;
        lock (_lock)
        {
            _used -= bytes;
            if (_used < 0)
            {
                throw new InvalidOperationException($"Released {bytes} bytes more than were reserved.");
            }

            granted = GrantWaiting();
        }

        foreach (var waiter in granted)
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Under the lock: takes the waiting reservations that fit, in order.</summary>
    private List<TaskCompletionSource> GrantWaiting()
    {
        var granted = new List<TaskCompletionSource>();
        while (_waiting.First is { } first && _used + first.Value.Bytes <= Capacity)
        {
            _waiting.RemoveFirst();
            Take(first.Value.Bytes);
            granted.Add(first.Value.Granted);
        }

        return granted;
    }

    private void Take(long bytes)
    {
        _used += bytes;
        PeakUsed = Math.Max(PeakUsed, _used);
    }
}
