using System.Buffers.Binary;
using System.Diagnostics;
using Orka.Client;

namespace Orka.Cli.Perf;

/// <summary>
/// The loop of <c>orka perf e2e</c>: one producer sends at a fixed rate while a consumer in the same
/// process reads the topic; each record's value starts with the send time (a monotonic
/// <see cref="Stopwatch"/> timestamp) and a run id, so the consumer measures produce-to-consume
/// latency without trusting wall clocks and ignores records of other runs. Warm-up records
/// (<see cref="PerfSettings.WarmupRecords"/>) go first, at the same rate, with their own id, so the
/// consumer skips them however they interleave with the measured ones.
/// </summary>
internal static class EndToEndPerf
{
    /// <summary>Bytes at the start of every value: send timestamp (8) and run id (8).</summary>
    public const int StampSize = 16;

    public static async Task<(PerfStats Stats, long Received)> RunAsync(
        IClusterClient client, PerfSettings settings, TimeSpan idleTimeout, TextWriter progress, CancellationToken cancellationToken)
    {
        if (settings.RecordSize < StampSize)
        {
            throw new ArgumentException($"--record-size must be at least {StampSize} bytes for end-to-end runs (the send time and a run id ride in the value).");
        }

        var stats = new PerfStats(settings.RecordSize);
        var runId = Random.Shared.NextInt64();
        var warmupId = runId ^ 1;
        await using var consumer = new OrkaConsumer(client, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Latest });
        await consumer.AssignAsync(settings.Topic);

        // Fix the start positions now: "latest" is otherwise resolved at the consumer's first poll,
        // which may come after the first records were sent, and those would never be measured.
        foreach (var (partition, offset) in await new OrkaAdmin(client).ListOffsetsAsync(settings.Topic, OffsetSpec.Latest))
        {
            consumer.Seek(new TopicPartition(settings.Topic, partition), offset);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lastProgress = Stopwatch.GetTimestamp();
        long received = 0;
        var consuming = Task.Run(async () =>
        {
            try
            {
                await foreach (var record in consumer.ConsumeAsync(stop.Token))
                {
                    if (record.Value is not { Length: >= StampSize } value
                        || BinaryPrimitives.ReadInt64LittleEndian(value.Span[8..]) != runId)
                    {
                        continue;
                    }

                    var now = Stopwatch.GetTimestamp();
                    stats.Record((long)Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(value.Span), now).TotalMicroseconds);
                    Volatile.Write(ref lastProgress, now);
                    if (++received >= settings.NumRecords)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Idle timeout or Ctrl+C: report what arrived.
            }
        }, CancellationToken.None);

        var throttler = new ThroughputThrottler(settings.Throughput, Stopwatch.GetTimestamp());
        var payload = new byte[settings.RecordSize];
        Random.Shared.NextBytes(payload);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), settings.WarmupRecords > 0 ? warmupId : runId);
        // One handler for every record (only failures matter here: latency is measured on arrival),
        // so the producer keeps no object per record in flight for the garbage collector to promote.
        void Delivered(DeliveryResult? result, Exception? error, long state)
        {
            if (error is not null)
            {
                stats.RecordError(error);
            }
        }

        Action<DeliveryResult?, Exception?, long> delivered = Delivered;
        await using (var producer = new OrkaProducer(client, new ProducerOptions { Acks = settings.Acks, BatchSize = settings.BatchSize, Linger = settings.Linger }))
        {
            for (long i = 0; i < settings.WarmupRecords + settings.NumRecords && !consuming.IsCompleted; i++)
            {
                await throttler.WaitAsync(i, cancellationToken);
                if (i == settings.WarmupRecords)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), runId); // measured from here on
                    stats.RestartClock();
                }

                // The producer copies the value before EnqueueAsync returns, so one buffer serves all.
                BinaryPrimitives.WriteInt64LittleEndian(payload, Stopwatch.GetTimestamp());
                await producer.EnqueueAsync(settings.Topic, null, payload, delivered, i, cancellationToken: cancellationToken);
            }

            await producer.FlushAsync();
        }

        Volatile.Write(ref lastProgress, Stopwatch.GetTimestamp());
        while (!consuming.IsCompleted)
        {
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref lastProgress)) > idleTimeout)
            {
                await progress.WriteLineAsync($"No record for {idleTimeout.TotalSeconds:0} s: stopping.");
                await stop.CancelAsync();
            }

            await Task.WhenAny(consuming, Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken));
        }

        await consuming;
        return (stats, received);
    }
}
