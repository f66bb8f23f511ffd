using System.Collections.Concurrent;
using System.Collections.Immutable;
using Orka.Gateway.Contracts;

namespace Orka.Gateway.Throughput;

/// <summary>
/// Each group's lag at the last <see cref="Capacity"/> samples (10 minutes at the default 2 s),
/// in memory: lost when the gateway restarts, and each gateway instance keeps its own. Lag here
/// counts partitions the group has committed in (end minus committed); a group forgotten by the
/// cluster (deleted) loses its history.
/// </summary>
internal sealed class GroupLagHistory
{
    /// <summary>Samples kept per group.</summary>
    public const int Capacity = 300;

    private readonly ConcurrentDictionary<string, Queue<LagSample>> _groups = new(StringComparer.Ordinal);

    public void Add(DateTimeOffset at, IReadOnlyDictionary<string, ImmutableArray<CommittedOffset>> committed, IReadOnlyDictionary<TopicPartition, long> ends)
    {
        foreach (var (group, offsets) in committed)
        {
            var partitions = offsets
                .Where(c => ends.ContainsKey(c.Partition))
                .ToDictionary(c => c.Partition.ToGrainKey(), c => Math.Max(0, ends[c.Partition] - c.Offset), StringComparer.Ordinal);
            var queue = _groups.GetOrAdd(group, _ => new Queue<LagSample>());
            lock (queue)
            {
                queue.Enqueue(new LagSample(at, partitions.Values.Sum(), partitions));
                while (queue.Count > Capacity)
                {
                    queue.Dequeue();
                }
            }
        }

        foreach (var gone in _groups.Keys.Where(g => !committed.ContainsKey(g)).ToList())
        {
            _groups.TryRemove(gone, out _);
        }
    }

    public IReadOnlyList<LagSample> Of(string group, DateTimeOffset? since)
    {
        if (!_groups.TryGetValue(group, out var queue))
        {
            return [];
        }

        lock (queue)
        {
            return queue.Where(s => since is null || s.At > since).ToList();
        }
    }
}
