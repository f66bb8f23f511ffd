using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orka.Client;
using Orka.Gateway.Contracts;
using Orka.Records;

namespace Orka.Gateway.Api;

/// <summary>
/// A live tail of a topic: one long-poll fetch loop per partition (5 s waits, never holding the
/// partition grain), merged into one stream in arrival order; within a partition records keep
/// their order. Partitions added after the tail started are not followed. A partition whose node
/// is down is retried every second; one whose log start moved past the reader restarts at the log
/// start. Costs one outstanding grain call per partition for as long as the client listens.
/// </summary>
public sealed partial class RecordTail
{
    private static readonly TimeSpan FetchWait = TimeSpan.FromSeconds(5);
    private readonly IClusterClient _client;
    private readonly string _topic;
    private readonly IReadOnlyDictionary<int, long> _starts;
    private readonly bool _forceBase64;
    private readonly ILogger _logger;

    private RecordTail(IClusterClient client, string topic, IReadOnlyDictionary<int, long> starts, bool forceBase64, ILogger logger)
    {
        _client = client;
        _topic = topic;
        _starts = starts;
        _forceBase64 = forceBase64;
        _logger = logger;
    }

    /// <summary>Checks the topic (and partition) and fixes where each partition's tail starts.</summary>
    public static async Task<RecordTail> OpenAsync(IClusterClient client, string topic, int? partition, bool fromEarliest, bool forceBase64, ILogger logger)
    {
        var metadata = await new OrkaAdmin(client).GetTopicAsync(topic);
        if (partition is { } p && (p < 0 || p >= metadata.PartitionCount))
        {
            throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{topic}' has no partition {p}; it has partitions 0-{metadata.PartitionCount - 1}.");
        }

        var partitions = partition is { } one ? [one] : Enumerable.Range(0, metadata.PartitionCount).ToArray();
        var starts = await Task.WhenAll(partitions.Select(async q =>
            (q, await client.GetPartitionGrain(topic, q).ListOffsetAsync(fromEarliest ? OffsetSpec.Earliest : OffsetSpec.Latest))));
        return new RecordTail(client, topic, starts.ToDictionary(s => s.q, s => s.Item2), forceBase64, logger);
    }

    /// <summary>Records as they arrive, until <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<SseItem<RecordView>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<RecordView>(new BoundedChannelOptions(1024) { SingleReader = true });
        var loops = _starts.Select(s => FollowAsync(s.Key, s.Value, channel.Writer, cancellationToken)).ToList();
        _ = Task.WhenAll(loops).ContinueWith(_ => channel.Writer.TryComplete(), TaskScheduler.Default);
        await foreach (var record in channel.Reader.ReadAllAsync(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new SseItem<RecordView>(record, "record")
            {
                EventId = $"{record.Partition}:{record.Offset}",
            };
        }
    }

    private async Task FollowAsync(int partition, long position, ChannelWriter<RecordView> writer, CancellationToken cancellationToken)
    {
        var grain = _client.GetPartitionGrain(_topic, partition);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var fetched = await grain.FetchAsync(new FetchRequest(position, 1024 * 1024, 1, FetchWait)).WaitAsync(cancellationToken);
                foreach (var record in RecordBatchReader.ReadRecords(fetched.Batches))
                {
                    if (record.Offset >= position)
                    {
                        await writer.WriteAsync(RecordJson.View(partition, record, _forceBase64), cancellationToken);
                        position = record.Offset + 1;
                    }
                }

                if (RecordsApi.EndOfWholeBatches(fetched.Batches.Span) is var end && end > position)
                {
                    position = end;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.OffsetOutOfRange)
            {
                position = await grain.ListOffsetAsync(OffsetSpec.Earliest);
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.UnknownTopicOrPartition)
            {
                Log.TailEnded(_logger, _topic, partition, e.Message);
                return; // the topic was deleted
            }
            catch (Exception e) when (e is OrkaException { IsRetriable: true } or TimeoutException or Orleans.Runtime.SiloUnavailableException)
            {
                Log.TailRetry(_logger, _topic, partition, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Tail of {Topic}/{Partition} ended: {Reason}")]
        public static partial void TailEnded(ILogger logger, string topic, int partition, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Tail of {Topic}/{Partition} retrying: {Reason}")]
        public static partial void TailRetry(ILogger logger, string topic, int partition, string reason);
    }
}
