namespace Orka.Cli.Perf;

/// <summary>
/// Bounds the records a perf producer has outstanding. Cheaper than a semaphore per record: a full
/// window makes the sender wait once until half of it has drained, instead of queueing a waiter
/// (a task, a cancellation registration and a thread-pool hop) for every record once it is full,
/// which cost more CPU than the producer being measured.
/// </summary>
internal sealed class SendWindow(long limit)
{
    private readonly Lock _lock = new();
    private readonly long _lowWater = limit / 2;
    private long _count;
    private TaskCompletionSource? _waiter;

    /// <summary>Takes a place; waits while the window is full, until it has drained to half.</summary>
    public ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _count) <= limit)
        {
            return ValueTask.CompletedTask;
        }

        lock (_lock)
        {
            // Re-checked under the lock: an Exit that drained the window meanwhile found no waiter.
            if (Volatile.Read(ref _count) <= _lowWater + 1)
            {
                return ValueTask.CompletedTask;
            }

            _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_waiter.Task.WaitAsync(cancellationToken));
        }
    }

    /// <summary>Gives a place back; wakes the sender once half the window is free.</summary>
    public void Exit()
    {
        // + 1: a waiting sender already holds its own place.
        if (Interlocked.Decrement(ref _count) > _lowWater + 1)
        {
            return;
        }

        lock (_lock)
        {
            _waiter?.TrySetResult();
            _waiter = null;
        }
    }
}
