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
        var stats = new PerfStats(settings.RecordSize);
        var throttler = new ThroughputThrottler(settings.Throughput, Stopwatch.GetTimestamp());
        long sent = -1;
        var outstandingRecords = (int)Math.Clamp(settings.MaxOutstandingBytes / Math.Max(1, settings.RecordSize), 1, int.MaxValue);

        using var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporter = ReportAsync(stats, settings.ReportingInterval, progress, reporting.Token);
        try
        {
            var producers = Enumerable.Range(0, settings.Producers).Select(async index =>
            {
                var share = (settings.NumRecords / settings.Producers) + (index < settings.NumRecords % settings.Producers ? 1 : 0);
                var payload = new byte[settings.RecordSize];
                Random.Shared.NextBytes(payload);
                await using var producer = createProducer(index);
                await SendAsync(producer, share, payload, stats, outstandingRecords, () => throttler.WaitAsync(Interlocked.Increment(ref sent), cancellationToken), cancellationToken);
            });
            await Task.WhenAll(producers);
        }
        finally
        {
            await reporting.CancelAsync();
            await reporter;
        }

        return stats;
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
