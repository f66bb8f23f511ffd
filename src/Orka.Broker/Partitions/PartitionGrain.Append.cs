using Microsoft.Extensions.Logging;
using Orka.Storage;

namespace Orka.Broker.Partitions;

internal sealed partial class PartitionGrain
{
    private bool _appendFailureLogged;

    public async Task<ProduceResult> AppendAsync(BatchPayload batches, Acks acks)
    {
        var started = time.GetTimestamp();
        var (result, info) = await AppendOrDeduplicateAsync(batches);
        if (acks == Acks.All)
        {
            // Start the fsync now rather than when the caller's FlushToAsync arrives: that call then
            // finds it running (or done) and only waits. A failure is kept by the log and reported there.
            StartFlush(result.LastOffset + 1);
        }

        if (info is { } appended)
        {
            metrics.Produced(_partition.Topic, acks, appended.RecordCount, appended.SizeInBytes, time.GetElapsedTime(started));
        }

        return result;
    }

    private void StartFlush(long endOffset)
    {
        ValueTask flush;
        try
        {
            flush = Log.FlushToAsync(endOffset);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            return; // deleted or closed since the append: the caller's FlushToAsync reports it
        }

        if (!flush.IsCompleted)
        {
            _ = flush.AsTask().ContinueWith(
                static task => _ = task.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        else if (flush.IsFaulted)
        {
            _ = flush.AsTask().Exception; // observed; FlushToAsync reports it
        }
    }

    /// <summary>
    /// Logs the first I/O failure of this partition's appends (a full disk is logged, once for the
    /// node, by the log manager's <see cref="StorageSpace"/>). Bad input is the client's business and
    /// is not logged; a log that failed refuses every later append, which is not logged again.
    /// </summary>
    private void LogAppendFailure(StorageException e)
    {
        if (e.Kind == StorageErrorKind.Io && !_appendFailureLogged)
        {
            _appendFailureLogged = true;
            logger.LogError(e, "Appending to {Partition} failed; the partition refuses appends until it is reopened", _partition);
        }
    }

    public async Task FlushToAsync(long endOffset)
    {
        var log = _log ?? throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Partition {_partition} was deleted.");
        try
        {
            await log.FlushToAsync(endOffset);
        }
        catch (StorageException e)
        {
            throw StorageErrors.ToOrka(e);
        }
    }

    /// <summary>
    /// Appends the batches behind the append gate, in arrival order, and wakes waiting fetches; or,
    /// for an idempotent producer's retry of a batch already in the log, appends nothing and answers
    /// the first copy's offsets (the append info is then null). Never waits for an fsync.
    /// </summary>
    private async Task<(ProduceResult Result, LogAppendInfo? Appended)> AppendOrDeduplicateAsync(BatchPayload payload)
    {
        try
        {
            return await AppendOrDeduplicateAsync(payload.Bytes);
        }
        finally
        {
            // Written (copied into the log) or refused: a buffer that came in over the network goes
            // back to the pool. Nothing keeps the bytes past this point.
            payload.Release();
        }
    }

    private async Task<(ProduceResult Result, LogAppendInfo? Appended)> AppendOrDeduplicateAsync(ReadOnlyMemory<byte> batches)
    {
        await _appendGate.WaitAsync();
        try
        {
            if (_log is null)
            {
                throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Partition {_partition} was deleted.");
            }

            var idempotent = IdempotentBatch(batches.Span);
            if (idempotent is { } producer && _producers.Check(producer.ProducerId, producer.ProducerEpoch, producer.BaseSequence, LastSequence(producer)) is { } duplicate)
            {
                // A retry of a batch that is already in the log: answer as the first time, append
                // nothing (acks=all callers then wait for the first copy's offsets to be flushed).
                return (new ProduceResult(duplicate.FirstOffset, duplicate.LastOffset, Log.LogStartOffset), null);
            }

            var info = await Log.AppendAsync(batches);
            if (idempotent is { } written)
            {
                _producers.Record(written.ProducerId, written.ProducerEpoch, new ProducedBatch(written.BaseSequence, LastSequence(written), info.FirstOffset, info.LastOffset));
            }

            var appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            appended.TrySetResult();
            return (new ProduceResult(info.FirstOffset, info.LastOffset, Log.LogStartOffset), info);
        }
        catch (StorageException e)
        {
            LogAppendFailure(e);
            throw StorageErrors.ToOrka(e);
        }
        finally
        {
            _appendGate.Release();
        }
    }
}
