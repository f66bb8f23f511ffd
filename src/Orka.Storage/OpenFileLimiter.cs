namespace Orka.Storage;

/// <summary>
/// Bounds the open <c>.log</c> handles of every segment on a node, active segments included, so
/// that a node holding thousands of partitions does not run out of file descriptors (index files
/// hold no handle at rest, see <see cref="SparseIndexFile{TEntry}"/>). Without it each partition
/// held at least its active segment open, and a node died at its descriptor limit.
/// </summary>
/// <remarks>
/// A clock (second-chance) policy: a segment enqueues itself when it opens its handle, a use only
/// sets the segment's "referenced" bit (no shared lock on the read or append path), and when more
/// handles are open than the capacity the oldest entries are visited: referenced ones get another
/// round, idle ones are closed, busy ones (an append, read or flush in progress) are skipped. The
/// work per open is bounded, so the count can briefly exceed the capacity while every candidate is
/// busy; it never stays above it once they are done. Reopening an evicted handle costs one
/// open(2), a few microseconds, and a partition that is written to stays referenced, so it keeps
/// its handle while the idle ones give theirs up.
/// </remarks>
internal sealed class OpenFileLimiter
{
    private readonly Lock _gate = new();
    private readonly Queue<LogSegment> _open = new();
    private int _count;
    private int _peak;

    public OpenFileLimiter(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>How many segment handles are open now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The most segment handles left open by an open (after its evictions) since the limiter was made.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Called by a segment right after it opened its handle (never while holding its own lock).</summary>
    public void Opened(LogSegment segment)
    {
        Interlocked.Increment(ref _count);
        lock (_gate)
        {
            _open.Enqueue(segment);
            var visits = 2 * _open.Count;
            while (Volatile.Read(ref _count) > Capacity && visits-- > 0)
            {
                var candidate = _open.Dequeue();
                if (!candidate.HasOpenHandle)
                {
                    continue; // closed for good (deleted, log closed): forget it
                }

                if (candidate.ClearReferenced() || !candidate.TryCloseIdleHandle())
                {
                    _open.Enqueue(candidate);
                }
            }

            _peak = Math.Max(_peak, Volatile.Read(ref _count));
        }
    }

    /// <summary>Called by a segment when it closed its handle, whoever closed it.</summary>
    public void Closed() => Interlocked.Decrement(ref _count);
}
