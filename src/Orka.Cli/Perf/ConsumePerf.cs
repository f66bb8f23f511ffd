using System.Diagnostics;
using System.Globalization;
using Orka.Client;

namespace Orka.Cli.Perf;

/// <summary>
/// The loop of <c>orka perf consume</c>, modelled on Kafka's <c>kafka-consumer-perf-test</c>: read a
/// topic from the beginning (or the group's committed offsets) until a number of records arrived or
/// nothing arrived for the idle timeout, and print Kafka's summary columns.
/// </summary>
internal static class ConsumePerf
{
    public const string Header = "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";

    public static async Task<(long Records, string Line)> RunAsync(
        IClusterClient client, string topic, long messages, string? group, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var startTime = DateTimeOffset.Now;
        var start = Stopwatch.GetTimestamp();
        await using var consumer = new OrkaConsumer(client, new ConsumerOptions { GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest });
        await consumer.AssignAsync(topic);
        var assigned = Stopwatch.GetTimestamp();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long records = 0, bytes = 0;
        var last = Stopwatch.GetTimestamp();
        var watchdog = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (Stopwatch.GetElapsedTime(Volatile.Read(ref last)) > idleTimeout)
                {
                    await stop.CancelAsync();
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var record in consumer.ConsumeAsync(stop.Token))
            {
                bytes += (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
                Volatile.Write(ref last, Stopwatch.GetTimestamp());
                if (++records >= messages)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Idle: report what was read.
        }

        var end = Stopwatch.GetTimestamp();
        await stop.CancelAsync();
        await watchdog;
        if (group is not null)
        {
            await consumer.CommitAsync();
        }

        var total = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        var fetch = Stopwatch.GetElapsedTime(assigned, end).TotalSeconds;
        var mb = bytes / (1024.0 * 1024.0);
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{startTime:yyyy-MM-dd HH:mm:ss:fff}, {startTime + TimeSpan.FromSeconds(total):yyyy-MM-dd HH:mm:ss:fff}, {mb:F4}, {mb / total:F4}, {records}, {records / total:F4}, {Stopwatch.GetElapsedTime(start, assigned).TotalMilliseconds:F0}, {fetch * 1000:F0}, {mb / fetch:F4}, {records / fetch:F4}");
        return (records, line);
    }
}
