using Orka.Client.Telemetry;

namespace Orka.Client.Producer;

/// <summary>
/// Sends sealed batches, as Kafka's Sender: waits for the partition's previous batch, then for one of
/// <see cref="ProducerOptions.MaxInFlightBatches"/> slots, stamps the batch (producer id and
/// sequence with idempotence, assigned here in the partition's chain order so sequences have no
/// gaps), sends it with retries and reports each record's outcome, in offset order, exactly once.
/// Then it gives the records' buffer space back to the <see cref="BufferPool"/> and the batch to the
/// <see cref="RecordAccumulator"/> (which reuses its buffer and sends the partition's next batch).
/// </summary>
/// <remarks>
/// A batch is encoded in its builder's buffer (no copy) and the call takes it as is (the grain
/// message is immutable), so the buffer is reused only once the call has an answer; after a
/// timeout the call may still be on its way, and the buffer is left to the garbage collector.
/// The lock is the producer's; the sender takes it only for the producer id.
/// </remarks>
internal sealed class Sender(ProducerOptions options, IProducerCluster cluster, BufferPool pool, Lock sync, TimeProvider time)
{
    private readonly SemaphoreSlim _inFlight = new(options.MaxInFlightBatches);
    private Task<ProducerIdentity>? _identity;

    /// <summary>Sends <paramref name="batch"/> once <paramref name="previous"/> (its partition's last batch) is done. Never faults.</summary>
    public async Task SendAfterAsync(Task previous, SealedBatch batch, RecordAccumulator accumulator)
    {
        var reusable = false;
        var waiters = batch.Batch.Waiters;
        ProduceResult? result = null;
        Exception? failure = null;
        // Leave the caller (who holds the lock) before doing anything that may take time.
        await Task.Yield();
        await previous.ConfigureAwait(false); // never faults: failures end up in the waiters
        await _inFlight.WaitAsync().ConfigureAwait(false);
        try
        {
            var bytes = options.EnableIdempotence
                ? await BuildIdempotentAsync(batch).ConfigureAwait(false)
                : batch.Batch.Builder.BuildInPlace();
            result = await ProduceWithRetriesAsync(batch.Partition, bytes).ConfigureAwait(false);
            reusable = true;
            batch.Owner.NextSequence = NextSequence(batch.Owner.NextSequence, waiters.Count);
        }
        catch (Exception e)
        {
            reusable = e is OrkaException; // the partition's own answer: the call is over
            failure = e;
        }
        finally
        {
            _inFlight.Release();
        }

        for (var i = 0; i < waiters.Count; i++)
        {
            var waiter = waiters[i];
            if (result is { } produced)
            {
                waiter.Report(new DeliveryResult(batch.Partition, produced.BaseOffset + i, waiter.Timestamp), null);
            }
            else
            {
                waiter.Report(null, failure);
            }
        }

        pool.Release(batch.BufferedBytes);
        accumulator.Finished(batch, reusable);
    }

    private async Task<ReadOnlyMemory<byte>> BuildIdempotentAsync(SealedBatch batch)
    {
        Task<ProducerIdentity> identity;
        lock (sync)
        {
            identity = _identity is { IsFaulted: false, IsCanceled: false } known
                ? known
                : _identity = cluster.InitProducerIdAsync();
        }

        var producer = await identity.ConfigureAwait(false);
        return batch.Batch.Builder.BuildInPlace(producer.ProducerId, producer.Epoch, batch.Owner.NextSequence);
    }

    /// <summary>
    /// Sends one batch, retrying retriable failures (node down, timeouts) with backoff until
    /// <see cref="ProducerOptions.DeliveryTimeout"/>, at most <see cref="ProducerOptions.Retries"/> times. With idempotence a retry can never duplicate:
    /// the partition answers a batch it already has with its first offsets.
    /// </summary>
    private async Task<ProduceResult> ProduceWithRetriesAsync(TopicPartition partition, ReadOnlyMemory<byte> bytes)
    {
        var deadline = time.GetUtcNow() + options.DeliveryTimeout;
        var backoff = options.RetryBackoff;
        using var span = ProducerSpans.StartSend(partition, bytes, options.Acks);
        for (var retries = 0; ; retries++)
        {
            try
            {
                return ProducerSpans.Sent(span, await cluster.ProduceAsync(partition, bytes, options.Acks).ConfigureAwait(false));
            }
            catch (Exception e) when (ProducerSpans.Retrying(span, e, retries < options.Retries && IsRetriable(e) && time.GetUtcNow() + backoff < deadline))
            {
                await Task.Delay(backoff, time).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.TicksPerSecond));
            }
        }
    }

    private bool IsRetriable(Exception e) => e switch
    {
        OrkaException orka => orka.IsRetriable,

        // The connection to the gateway could not be made: the call never left.
        Orleans.Runtime.Messaging.ConnectionFailedException => true,

        // The call may or may not have reached the partition: only safe to repeat with idempotence.
        TimeoutException or Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException => options.EnableIdempotence,
        _ => false,
    };

    private static int NextSequence(int sequence, int records) =>
        (int)((sequence + (long)records) % (int.MaxValue + 1L));
}
