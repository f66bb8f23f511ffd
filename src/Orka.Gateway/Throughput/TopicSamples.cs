using Orka.Gateway.Contracts;

namespace Orka.Gateway.Throughput;

/// <summary>The recent samples of one topic (a ring of <see cref="Capacity"/>, thread-safe).</summary>
internal sealed class TopicSamples
{
    /// <summary>Samples kept: 10 minutes at the default 2 s interval.</summary>
    public const int Capacity = 300;

    private readonly Queue<Sample> _samples = new();
    private readonly Lock _lock = new();

    public void Add(Sample sample)
    {
        lock (_lock)
        {
            // A re-created topic (new id) starts over: offsets of the old one mean nothing now.
            if (_samples.Count > 0 && _samples.Peek().TopicId != sample.TopicId)
            {
                _samples.Clear();
            }

            _samples.Enqueue(sample);
            while (_samples.Count > Capacity)
            {
                _samples.Dequeue();
            }
        }
    }

    /// <summary>Records/s between the oldest sample inside <paramref name="window"/> and the newest.</summary>
    public (double In, double Out) Rates(TimeSpan window)
    {
        lock (_lock)
        {
            if (_samples.Count < 2)
            {
                return (0, 0);
            }

            var newest = _samples.Last();
            var oldest = _samples.FirstOrDefault(s => newest.At - s.At <= window);
            if (oldest == newest)
            {
                oldest = _samples.Reverse().Skip(1).First();
            }

            var point = Between(oldest, newest);
            return (point.RecordsInPerSecond, point.RecordsOutPerSecond);
        }
    }

    /// <summary>Throughput between each pair of consecutive samples, oldest first; only those ending after <paramref name="since"/>.</summary>
    public IReadOnlyList<ThroughputPoint> History(DateTimeOffset? since)
    {
        lock (_lock)
        {
            return _samples.Zip(_samples.Skip(1), Between).Where(p => since is null || p.At > since).ToList();
        }
    }

    private static ThroughputPoint Between(Sample older, Sample newer)
    {
        var seconds = (newer.At - older.At).TotalSeconds;
        if (seconds <= 0)
        {
            return new ThroughputPoint(newer.At, 0, 0, 0, 0);
        }

        var recordsOut = Math.Max(0, newer.Committed - older.Committed);
        var bytesPerRecord = newer.RecordsHeld > 0 ? (double)newer.SizeBytes / newer.RecordsHeld : 0;
        return new ThroughputPoint(
            newer.At,
            Math.Max(0, newer.LogEnd - older.LogEnd) / seconds,
            recordsOut / seconds,
            Math.Max(0, newer.SizeBytes - older.SizeBytes) / seconds,
            recordsOut * bytesPerRecord / seconds);
    }
}
