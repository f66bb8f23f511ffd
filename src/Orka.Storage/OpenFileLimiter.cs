namespace Orka.Storage;

/// <summary>
/// Bounds the open <c>.log</c> handles of closed (inactive) segments across a node, so that
/// thousands of partitions with long retention do not run out of file descriptors. Active segments
/// are not counted: there is one per open log and it is always open.
/// </summary>
/// <remarks>
/// A clock (second-chance) policy: a segment enqueues itself when it opens its handle, a read only
/// sets the segment's "referenced" bit (no shared lock on the read path), and when the queue is
/// over capacity the oldest entries are visited: referenced ones get another round, idle ones are
/// closed, busy ones (a read in progress) are skipped. The work per open is bounded, so the count
/// can briefly exceed the capacity while every candidate is busy. Reopening an evicted handle
/// costs one open(2), a few microseconds.
/// </remarks>
internal sealed class OpenFileLimiter(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Queue<LogSegment> _open = new();

    public int Capacity => capacity;

    /// <summary>How many closed segments are counted as holding an open handle.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Called by a closed segment right after it opened its handle (never while holding its own lock).</summary>
    public void Opened(LogSegment segment)
    {
        lock (_gate)
        {
            _open.Enqueue(segment);
            var visits = 2 * _open.Count;
            while (_open.Count > capacity && visits-- > 0)
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
        }
    }
}
