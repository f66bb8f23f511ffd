using System.Collections.Concurrent;
using System.Collections.Immutable;
using Orka.Gateway.Contracts;

namespace Orka.Gateway.Throughput;

/// <summary>
/// Each group's lag at the last <see cref="Capacity"/> samples (10 minutes at the default 2 s),
/// in memory: lost when the gateway restarts, and each gateway instance keeps its own. Lag is the
/// group grain's (<see cref="IConsumerGroupGrain.GetLagAsync"/>), as the groups API shows it;
/// partitions whose lag is unknown (node down) are left out of a sample. A group forgotten by the
/// cluster (deleted) loses its history.
/// </summary>
internal sealed class GroupLagHistory
{
    /// <summary>Samples kept per group.</summary>
    public const int Capacity = 300;

    private readonly ConcurrentDictionary<string, Queue<LagSample>> _groups = new(StringComparer.Ordinal);

    /// <summary>A group's lag as one sample: total and per partition (<c>topic/partition</c>).</summary>
    public static LagSample ToSample(DateTimeOffset at, ImmutableArray<PartitionLag> lag)
    {
        var partitions = lag.Where(l => l.Lag >= 0).ToDictionary(l => l.Partition.ToGrainKey(), l => l.Lag, StringComparer.Ordinal);
        return new LagSample(at, partitions.Values.Sum(), partitions);
    }

    public void Add(DateTimeOffset at, IReadOnlyDictionary<string, ImmutableArray<PartitionLag>> lags)
    {
        foreach (var (group, lag) in lags)
        {
            var queue = _groups.GetOrAdd(group, _ => new Queue<LagSample>());
            lock (queue)
            {
                queue.Enqueue(ToSample(at, lag));
                while (queue.Count > Capacity)
                {
                    queue.Dequeue();
                }
            }
        }

        foreach (var gone in _groups.Keys.Where(g => !lags.ContainsKey(g)).ToList())
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
