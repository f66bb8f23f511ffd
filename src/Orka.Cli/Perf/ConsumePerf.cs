using System.Diagnostics;
using System.Globalization;

namespace Orka.Cli.Perf;

/// <summary>
/// The loop of <c>orka perf consume</c>, modelled on Kafka's <c>kafka-consumer-perf-test</c>: read a
/// topic from the beginning (or the group's committed offsets) until a number of records arrived or
/// nothing arrived for the idle timeout, and print Kafka's summary columns. The same loop measures
/// the native consumer and a Kafka client through the Kafka listener (<see cref="IPerfConsumer"/>).
/// </summary>
internal static class ConsumePerf
{
    public const string Header = "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";

    public static async Task<(long Records, string Line)> RunAsync(
        IPerfConsumer consumer, long messages, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var startTime = DateTimeOffset.Now;
        var start = Stopwatch.GetTimestamp();
        await consumer.AssignAsync(cancellationToken);
        var assigned = Stopwatch.GetTimestamp();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = new ConsumeProgress();
        var watchdog = Task.Run(async () =>
        {
            var seen = -1L;
            var last = Stopwatch.GetTimestamp();
            while (!stop.IsCancellationRequested)
            {
                var now = progress.Records;
                if (now != seen)
                {
                    (seen, last) = (now, Stopwatch.GetTimestamp());
                }
                else if (Stopwatch.GetElapsedTime(last) > idleTimeout)
                {
                    await stop.CancelAsync();
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            }
        }, CancellationToken.None);

        try
        {
            await consumer.ReadAsync(messages, progress, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Idle: report what was read.
        }

        var end = Stopwatch.GetTimestamp();
        await stop.CancelAsync();
        await watchdog;
        await consumer.CommitAsync();

        var records = progress.Records;
        var total = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        var fetch = Stopwatch.GetElapsedTime(assigned, end).TotalSeconds;
        var mb = progress.Bytes / (1024.0 * 1024.0);
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{startTime:yyyy-MM-dd HH:mm:ss:fff}, {startTime + TimeSpan.FromSeconds(total):yyyy-MM-dd HH:mm:ss:fff}, {mb:F4}, {mb / total:F4}, {records}, {records / total:F4}, {Stopwatch.GetElapsedTime(start, assigned).TotalMilliseconds:F0}, {fetch * 1000:F0}, {mb / fetch:F4}, {records / fetch:F4}");
        return (records, line);
    }
}
