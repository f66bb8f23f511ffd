using System.Collections.Concurrent;

namespace Orka.Kafka.Hosting;

/// <summary>
/// Topic metadata for the produce and fetch paths, which need a partition's node on every request.
/// Entries live <see cref="TimeToLive"/>: a partition's node never changes while its topic exists,
/// so the only staleness is a topic deleted (or re-created) within that time, after which the
/// partition grain's own checks answer. Unknown topics are not cached, so a new topic is seen at once.
/// </summary>
public sealed class TopicMetadataCache(IGrainFactory grains, TimeProvider time)
{
    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (TopicMetadata Metadata, long At)> _entries = new(StringComparer.Ordinal);

    public async ValueTask<TopicMetadata?> GetAsync(string topic)
    {
        if (_entries.TryGetValue(topic, out var entry) && time.GetElapsedTime(entry.At) < TimeToLive)
        {
            return entry.Metadata;
        }

        var metadata = await grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync();
        if (metadata is null)
        {
            _entries.TryRemove(topic, out _);
            return null;
        }

        if (_entries.Count > 100_000)
        {
            _entries.Clear(); // a bound, not a policy: clients naming endless topics must not grow memory
        }

        _entries[topic] = (metadata, time.GetTimestamp());
        return metadata;
    }

    /// <summary>Forgets a topic (after it was deleted, re-created or grew partitions through this silo).</summary>
    public void Invalidate(string topic) => _entries.TryRemove(topic, out _);
}
