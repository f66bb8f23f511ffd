using System.Diagnostics;

namespace Orka.Cli.Perf;

/// <summary>
/// The loop of <c>orka perf produce</c>, modelled on Kafka's <c>kafka-producer-perf-test</c>: each
/// producer sends its share of fixed-size records (random bytes, one buffer reused) as fast as the
/// throttle and the outstanding-bytes window allow, and every acknowledgement's latency (send call
/// to acknowledgement) goes into one histogram.
/// </summary>
internal static class ProducePerf
{
    public static async Task<PerfStats> RunAsync(
        PerfSettings settings, Func<int, IPerfProducer> createProducer, TextWriter progress, CancellationToken cancellationToken)
    {
        var outstandingRecords = (int)Math.Clamp(settings.MaxOutstandingBytes / Math.Max(1, settings.RecordSize), 1, int.MaxValue);
        var producers = Enumerable.Range(0, settings.Producers).Select(createProducer).ToList();
        try
        {
            var payload = new byte[settings.RecordSize];
            Random.Shared.NextBytes(payload);
            if (settings.WarmupRecords > 0)
            {
                // Every producer sends its share, all acknowledged, before the measured run starts.
                var warmup = new PerfStats(settings.RecordSize);
                await SendAllAsync(producers, settings.WarmupRecords, payload, warmup, outstandingRecords, settings.Throughput, cancellationToken);
                await progress.WriteLineAsync(string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"warm-up: {warmup.Latencies.Count} records sent and acknowledged, not counted below."));
            }

            var stats = new PerfStats(settings.RecordSize);
            using var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reporter = ReportAsync(stats, settings.ReportingInterval, progress, reporting.Token);
            try
            {
                await SendAllAsync(producers, settings.NumRecords, payload, stats, outstandingRecords, settings.Throughput, cancellationToken);
            }
            finally
            {
                await reporting.CancelAsync();
                await reporter;
            }

            return stats;
        }
        finally
        {
            foreach (var producer in producers)
            {
                await producer.DisposeAsync();
            }
        }
    }

    /// <summary>Sends <paramref name="records"/> split over the producers (throttled over all of them) and waits for every outcome.</summary>
    private static Task SendAllAsync(
        List<IPerfProducer> producers, long records, ReadOnlyMemory<byte> payload, PerfStats stats, int outstandingRecords, double throughput,
        CancellationToken cancellationToken)
    {
        var throttler = new ThroughputThrottler(throughput, Stopwatch.GetTimestamp());
        long sent = -1;
        return Task.WhenAll(producers.Select((producer, index) =>
        {
            var share = (records / producers.Count) + (index < records % producers.Count ? 1 : 0);
            return SendAsync(producer, share, payload, stats, outstandingRecords, () => throttler.WaitAsync(Interlocked.Increment(ref sent), cancellationToken), cancellationToken);
        }));
    }

    private static async Task SendAsync(
        IPerfProducer producer, long count, ReadOnlyMemory<byte> payload, PerfStats stats, int outstandingRecords,
        Func<ValueTask> throttle, CancellationToken cancellationToken)
    {
        var window = new SendWindow(outstandingRecords);
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long pending = 1; // the loop itself holds one, so the count cannot reach zero before it ends

        void Completed(long start, Exception? error)
        {
            if (error is null)
            {
                stats.Record((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
            else
            {
                stats.RecordError(error);
            }

            window.Exit();
            if (Interlocked.Decrement(ref pending) == 0)
            {
                acknowledged.TrySetResult();
            }
        }

        Action<long, Exception?> completed = Completed;
        for (long i = 0; i < count; i++)
        {
            await throttle();
            await window.EnterAsync(cancellationToken);
            Interlocked.Increment(ref pending);
            producer.Send(payload, Stopwatch.GetTimestamp(), completed);
        }

        await producer.FlushAsync();
        if (Interlocked.Decrement(ref pending) == 0)
        {
            acknowledged.TrySetResult();
        }

        await acknowledged.Task.WaitAsync(cancellationToken);
    }

    private static async Task ReportAsync(PerfStats stats, TimeSpan interval, TextWriter progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await progress.WriteLineAsync(stats.TakeWindowLine());
                await progress.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }
}
