namespace Orka.Gateway.Throughput;

/// <summary>The recent samples of one topic (a short ring, thread-safe).</summary>
internal sealed class TopicSamples
{
    private const int Capacity = 64;
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

            var seconds = (newest.At - oldest.At).TotalSeconds;
            return seconds <= 0
                ? (0, 0)
                : (Math.Max(0, newest.LogEnd - oldest.LogEnd) / seconds, Math.Max(0, newest.Committed - oldest.Committed) / seconds);
        }
    }
}
