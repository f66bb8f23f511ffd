using System.Diagnostics;

namespace Orka.Cli.Perf;

/// <summary>
/// Holds a sender to a target rate, as Kafka's perf tools do: before sending record n, wait until
/// the time at which n records are due. A negative rate means no limit.
/// </summary>
internal sealed class ThroughputThrottler(double recordsPerSecond, long startTimestamp)
{
    public bool Unlimited => recordsPerSecond <= 0;

    /// <summary>Waits until record <paramref name="sent"/> (0-based) may go; returns at once when it is due.</summary>
    public ValueTask WaitAsync(long sent, CancellationToken cancellationToken)
    {
        if (Unlimited)
        {
            return ValueTask.CompletedTask;
        }

        var due = TimeSpan.FromSeconds(sent / recordsPerSecond);
        var ahead = due - Stopwatch.GetElapsedTime(startTimestamp);

        // Timer resolution is about 1 ms: sleeping for less only adds jitter, so small leads pile up
        // until they are worth a sleep; the rate holds over any window longer than that.
        return ahead > TimeSpan.FromMilliseconds(1)
            ? new ValueTask(Task.Delay(ahead, cancellationToken))
            : ValueTask.CompletedTask;
    }
}
