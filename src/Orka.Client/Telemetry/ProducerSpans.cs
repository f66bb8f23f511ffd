using System.Diagnostics;
using Orka.Records;
using Orka.Telemetry;

namespace Orka.Client.Telemetry;

/// <summary>
/// The native producer's span: <c>orka.produce</c> (kind Producer), one per batch sent to a
/// partition, retries included. Its grain call carries the trace context to the partition's
/// <c>orka.partition.append</c> span on the silo.
/// </summary>
internal static class ProducerSpans
{
    /// <summary>Starts the span of one batch send, or returns null when nobody listens.</summary>
    public static Activity? StartSend(TopicPartition partition, ReadOnlyMemory<byte> batches, Acks acks)
    {
        var activity = OrkaActivitySource.Instance.StartActivity("orka.produce", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("orka.topic", partition.Topic);
            activity.SetTag("orka.partition", partition.Partition);
            activity.SetTag("orka.records", RecordCount(batches.Span));
            activity.SetTag("orka.bytes", batches.Length);
            activity.SetTag("orka.acks", (short)acks);
        }

        return activity;
    }

    /// <summary>Tags the offsets the partition assigned; returns <paramref name="result"/>.</summary>
    public static ProduceResult Sent(Activity? activity, ProduceResult result)
    {
        activity?.SetTag("orka.base_offset", result.BaseOffset);
        return result;
    }

    /// <summary>
    /// Notes a failed attempt: an <c>orka.retry</c> event when it will be retried, else the span's
    /// failure. Returns <paramref name="willRetry"/> (for an exception filter).
    /// </summary>
    public static bool Retrying(Activity? activity, Exception error, bool willRetry)
    {
        if (activity is not null && willRetry)
        {
            activity.AddEvent(new ActivityEvent("orka.retry", tags: new ActivityTagsCollection { ["exception.type"] = error.GetType().FullName }));
        }
        else
        {
            OrkaActivitySource.Fail(activity, error);
        }

        return willRetry;
    }

    private static long RecordCount(ReadOnlySpan<byte> batches)
    {
        long records = 0;
        foreach (var (header, _) in RecordBatchHeader.Enumerate(batches))
        {
            records += Math.Max(header.RecordCount, 0);
        }

        return records;
    }
}
