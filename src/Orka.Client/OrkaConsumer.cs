using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Orka.Storage;

namespace Orka.Client;

/// <summary>
/// Reads assigned partitions with one long-poll fetch outstanding per partition, yielding records
/// in offset order within each partition. Positions start at the group's committed offsets (or
/// <see cref="ConsumerOptions.AutoOffsetReset"/>) and advance as records are yielded, so
/// <see cref="CommitAsync"/> after processing never skips a record. Not thread-safe: one reader.
/// </summary>
public sealed class OrkaConsumer(IClusterClient client, ConsumerOptions? options = null)
{
    private readonly ConsumerOptions _options = options ?? new ConsumerOptions();
    private readonly Dictionary<TopicPartition, long> _positions = [];

    /// <summary>The partitions being read and the next offset of each.</summary>
    public IReadOnlyDictionary<TopicPartition, long> Positions => _positions;

    /// <summary>Assigns every partition of <paramref name="topic"/>; throws if the topic does not exist.</summary>
    public async Task AssignAsync(string topic)
    {
        var metadata = await new OrkaAdmin(client).GetTopicAsync(topic);
        var committed = _options.GroupId is { } group
            ? (await client.GetGrain<IConsumerGroupGrain>(group).GetCommittedAsync(topic)).ToDictionary(c => c.Partition, c => c.Offset)
            : [];
        for (var p = 0; p < metadata.PartitionCount; p++)
        {
            var tp = new TopicPartition(topic, p);
            _positions[tp] = committed.TryGetValue(tp, out var offset) ? offset : await ResetOffsetAsync(tp);
        }
    }

    /// <summary>Records from every assigned partition until <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<ConsumeResult> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var fetches = new Dictionary<Task<FetchResult>, TopicPartition>();
        foreach (var tp in _positions.Keys)
        {
            fetches.Add(FetchAsync(tp), tp);
        }

        var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var done = await Task.WhenAny(fetches.Keys.Append<Task>(cancelled));
            if (done == cancelled)
            {
                yield break;
            }

            var fetch = (Task<FetchResult>)done;
            var tp = fetches[fetch];
            fetches.Remove(fetch);
            FetchResult? result = null;
            try
            {
                result = await fetch;
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.OffsetOutOfRange)
            {
                _positions[tp] = await ResetOffsetAsync(tp);
            }
            catch (OrkaException e) when (e.IsRetriable)
            {
                // The partition's node is down or moving: try again after a pause.
                await Task.Delay(_options.MaxFetchWait, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            if (result is not null)
            {
                foreach (var record in RecordBatchReader.ReadRecords(result.Batches))
                {
                    if (record.Offset < _positions[tp])
                    {
                        continue;
                    }

                    _positions[tp] = record.Offset + 1;
                    yield return new ConsumeResult(tp, record.Offset, record.Timestamp, record.Key, record.Value, record.Headers);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        yield break;
                    }
                }

                // In a compacted log a batch can end with offsets whose records are gone: move past
                // the whole batches read, or the same fetch would come back forever.
                if (EndOfWholeBatches(result.Batches.Span) is var end && end > _positions[tp])
                {
                    _positions[tp] = end;
                }
            }

            fetches.Add(FetchAsync(tp), tp);
        }
    }

    /// <summary>Commits the current positions to the group. Does nothing without a group id.</summary>
    public async Task CommitAsync()
    {
        if (_options.GroupId is not { } group || _positions.Count == 0)
        {
            return;
        }

        var offsets = _positions.Select(p => new CommittedOffset(p.Key, p.Value)).ToImmutableArray();
        await client.GetGrain<IConsumerGroupGrain>(group).CommitAsync(offsets);
    }

    /// <summary>The offset after the last whole batch in <paramref name="batches"/>, or -1 if there is none.</summary>
    private static long EndOfWholeBatches(ReadOnlySpan<byte> batches)
    {
        var end = -1L;
        foreach (var (header, _) in RecordBatchHeader.Enumerate(batches))
        {
            end = header.LastOffset + 1;
        }

        return end;
    }

    private Task<FetchResult> FetchAsync(TopicPartition tp) =>
        client.GetGrain<IPartitionGrain>(tp.ToGrainKey())
            .FetchAsync(new FetchRequest(_positions[tp], _options.MaxFetchBytes, 1, _options.MaxFetchWait));

    private async Task<long> ResetOffsetAsync(TopicPartition tp)
    {
        var offsets = await client.GetGrain<IPartitionGrain>(tp.ToGrainKey()).GetOffsetsAsync();
        return _options.AutoOffsetReset == AutoOffsetReset.Earliest ? offsets.LogStartOffset : offsets.LogEndOffset;
    }
}
