using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Broker.Cluster;
using Orka.Broker.Placement;
using Orka.Broker.Telemetry;
using Orka.Broker.Topics;
using Orka.Records;
using Orka.Storage;

namespace Orka.Broker.Partitions;

/// <summary>
/// The single writer of one partition. Runs only on the silo of the partition's node
/// (<see cref="NodePlacementAttribute"/>) and appends through that node's <see cref="LogManager"/>.
/// Produce calls are serialized by the grain; fetches and offset queries interleave with them
/// (the log supports concurrent readers), and a waiting fetch never holds the grain.
/// </summary>
[NodePlacement]
internal sealed partial class PartitionGrain(
    LogManager logs,
    IOptions<OrkaNodeOptions> node,
    TimeProvider time,
    OrkaMetrics metrics,
    ILogger<PartitionGrain> logger) : Grain, IPartitionGrain
{
    /// <summary>Longest a fetch may wait, well under Orleans' default 30 s response timeout.</summary>
    private static readonly TimeSpan MaxFetchWait = TimeSpan.FromSeconds(10);

    private TopicPartition _partition;
    private int _nodeId;
    private PartitionLog? _log;
    private readonly ProducerStateTable _producers = new();

    // Serializes appends (and what must not run beside one: DeleteRecords, DeleteLog) in arrival
    // order now that ProduceAsync interleaves; SemaphoreSlim queues async waiters first come, first served.
    private readonly SemaphoreSlim _appendGate = new(1, 1);

    // Completed (and replaced) after every append; waiting fetches await it.
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PartitionLog Log => _log ?? throw new InvalidOperationException("The partition log is not open.");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _partition = TopicPartition.ParseGrainKey(this.GetPrimaryKeyString());
        var metadata = await GrainFactory.GetGrain<ITopicGrain>(_partition.Topic).GetMetadataAsync();
        var leadership = PartitionLeadership.LocalError(metadata, _partition.Partition, node.Value.NodeId);
        if (metadata is null || leadership == OrkaErrorCode.UnknownTopicOrPartition)
        {
            throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{_partition.Topic}' has no partition {_partition.Partition}.");
        }

        if (leadership != OrkaErrorCode.None)
        {
            // Placement should never let this happen; refusing keeps a partition from growing a second log.
            throw new OrkaException(leadership,
                $"Partition {_partition} belongs to node {PartitionLeadership.NodeToServe(metadata.Assignments[_partition.Partition])}, not node {node.Value.NodeId}.");
        }

        _nodeId = node.Value.NodeId;

        try
        {
            _log = await logs.GetOrCreateLogAsync(_partition.Topic, _partition.Partition, metadata.TopicId, TopicConfigs.ToLogConfig(metadata.Config), cancellationToken);
        }
        catch (StorageException e)
        {
            throw StorageErrors.ToOrka(e);
        }

        await RebuildProducerStateAsync(cancellationToken);
        logger.LogDebug("Partition {Partition} active on node {Node}: offsets [{Start}, {End}), {Producers} idempotent producers",
            _partition, _nodeId, _log.LogStartOffset, _log.LogEndOffset, _producers.Count);
    }

    public async Task<ProduceResult> ProduceAsync(BatchPayload batches, Acks acks)
    {
        var started = time.GetTimestamp();
        var (result, info) = await AppendOrDeduplicateAsync(batches);
        try
        {
            if (acks == Acks.All)
            {
                // Outside the append gate: later calls append while this one waits, and everyone
                // waiting shares the next fsync. Only this call's offsets need to be covered.
                await Log.FlushToAsync(result.LastOffset + 1);
            }
        }
        catch (StorageException e)
        {
            throw StorageErrors.ToOrka(e);
        }

        if (info is { } appended)
        {
            metrics.Produced(_partition.Topic, acks, appended.RecordCount, appended.SizeInBytes, time.GetElapsedTime(started));
        }

        return result;
    }

    /// <summary>
    /// The header of the call's batch when it comes from an idempotent producer (producer id ≥ 0);
    /// such a call must carry exactly one batch, as Kafka requires. Null for plain producers.
    /// </summary>
    private static RecordBatchHeader? IdempotentBatch(ReadOnlySpan<byte> batches)
    {
        if (batches.Length < RecordBatchHeader.Size)
        {
            return null; // the log rejects it with a proper error
        }

        var first = RecordBatchHeader.Read(batches);
        if (first.ProducerId < 0)
        {
            return null;
        }

        if (first.SizeInBytes != batches.Length)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, "An idempotent producer must send one record batch per partition and request.");
        }

        return first;
    }

    /// <summary>The batch's last sequence number; sequences wrap from int.MaxValue to 0.</summary>
    private static int LastSequence(RecordBatchHeader batch) =>
        (int)((batch.BaseSequence + (long)batch.LastOffsetDelta) % (int.MaxValue + 1L));

    /// <summary>
    /// Rebuilds the idempotent producers' state from the batch headers in the log. Reads the whole
    /// log once per activation (page cache, headers only); a producer-state snapshot would bound it.
    /// </summary>
    private async Task RebuildProducerStateAsync(CancellationToken cancellationToken)
    {
        var offset = Log.LogStartOffset;
        while (offset < Log.LogEndOffset)
        {
            ReadOnlyMemory<byte> data;
            try
            {
                data = (await Log.ReadAsync(offset, 1 << 20, cancellationToken)).Batches;
            }
            catch (StorageException e) when (e.Corruption is { } corruption)
            {
                // A corrupt range must not keep the partition from activating; the log reported it.
                // Sequences of a producer whose batches it hides may then look out of order.
                offset = corruption.LastOffset + 1;
                continue;
            }

            if (data.IsEmpty)
            {
                break;
            }

            foreach (var (header, _) in RecordBatchHeader.Enumerate(data.Span))
            {
                if (header.ProducerId >= 0 && header.LastOffset >= offset)
                {
                    _producers.Record(header.ProducerId, header.ProducerEpoch, new ProducedBatch(header.BaseSequence, LastSequence(header), header.BaseOffset, header.LastOffset));
                }

                offset = Math.Max(offset, header.LastOffset + 1);
            }
        }
    }

    public async Task<FetchResult> FetchAsync(FetchRequest request)
    {
        if (request.MaxBytes < 0 || request.MinBytes < 0 || request.MaxWait < TimeSpan.Zero)
        {
            throw new OrkaException(OrkaErrorCode.InvalidRequest, "Fetch sizes and wait must not be negative.");
        }

        var started = time.GetTimestamp();
        var wait = request.MaxWait < MaxFetchWait ? request.MaxWait : MaxFetchWait;
        var deadline = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            // Take the signal before reading so that an append between the read and the wait is not missed.
            var appended = _appended.Task;
            FetchDataInfo data;
            try
            {
                data = await Log.ReadAsync(request.Offset, request.MaxBytes);
            }
            catch (StorageException e)
            {
                throw StorageErrors.ToOrka(e);
            }

            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (data.Batches.Length >= Math.Max(request.MinBytes, 1) || remaining <= TimeSpan.Zero)
            {
                metrics.Fetched(_partition.Topic, data.Batches.Span, time.GetElapsedTime(started));
                return new FetchResult(data.Batches, data.LogEndOffset, data.LogStartOffset);
            }

            try
            {
                await appended.WaitAsync(remaining, time);
            }
            catch (TimeoutException)
            {
                // Nothing new in time: read once more and answer with whatever there is.
                deadline = time.GetTimestamp();
            }
        }
    }

    public Task<PartitionOffsets> GetOffsetsAsync() =>
        Task.FromResult(new PartitionOffsets(_partition.Partition, _nodeId, Log.LogStartOffset, Log.LogEndOffset, Log.SizeInBytes));

    public async Task<long> ListOffsetAsync(long timestamp)
    {
        switch (timestamp)
        {
            case OffsetSpec.Earliest:
                return Log.LogStartOffset;
            case OffsetSpec.Latest:
                return Log.LogEndOffset;
            case < 0:
                throw new OrkaException(OrkaErrorCode.InvalidRequest, $"{timestamp} is neither a timestamp nor -1 (latest) or -2 (earliest).");
        }

        try
        {
            return await Log.OffsetForTimestampAsync(timestamp) ?? -1;
        }
        catch (StorageException e)
        {
            throw StorageErrors.ToOrka(e);
        }
    }

    public Task UpdateConfigAsync(ImmutableDictionary<string, string> config)
    {
        Log.UpdateConfig(TopicConfigs.ToLogConfig(config));
        return Task.CompletedTask;
    }

    public async Task<long> DeleteRecordsAsync(long offset)
    {
        await _appendGate.WaitAsync();
        try
        {
            return await Log.DeleteRecordsAsync(offset == -1 ? Log.LogEndOffset : offset);
        }
        catch (StorageException e)
        {
            throw StorageErrors.ToOrka(e);
        }
        finally
        {
            _appendGate.Release();
        }
    }

    public async Task DeleteLogAsync()
    {
        // Produce calls interleave: wait for the one appending; later ones find the log gone.
        await _appendGate.WaitAsync();
        try
        {
            _log = null;
            await logs.DeleteLogAsync(_partition.Topic, _partition.Partition);
        }
        finally
        {
            _appendGate.Release();
        }

        logger.LogInformation("Deleted the log of partition {Partition} from node {Node}", _partition, _nodeId);
        DeactivateOnIdle();
    }
}
