using Orka.Records;

namespace Orka.Broker.Telemetry;

/// <summary>
/// The partition grain's spans: <c>orka.partition.append</c> (a produce or append call: topic,
/// partition, records, bytes, acks, base offset) and <c>orka.partition.fetch</c> (topic, partition,
/// offset, bytes returned, high watermark). Started by <see cref="OrkaSpanFilter"/> only while
/// someone listens.
/// </summary>
internal static class PartitionSpans
{
    public static async Task InvokeAsync(IIncomingGrainCallContext context)
    {
        var append = context.MethodName is nameof(IPartitionGrain.ProduceAsync) or nameof(IPartitionGrain.AppendAsync);
        if (!append && context.MethodName != nameof(IPartitionGrain.FetchAsync))
        {
            await context.Invoke();
            return;
        }

        using var activity = GrainSpans.Start(append ? "orka.partition.append" : "orka.partition.fetch");
        if (activity is { IsAllDataRequested: true })
        {
            var partition = TopicPartition.ParseGrainKey(context.TargetId.Key.ToString()!);
            activity.SetTag("orka.topic", partition.Topic);
            activity.SetTag("orka.partition", partition.Partition);
            if (append)
            {
                // Read before the call: the partition gives a rented payload back once it is written.
                var bytes = ((BatchPayload)context.Request.GetArgument(0)!).Bytes;
                activity.SetTag("orka.records", RecordCount(bytes.Span));
                activity.SetTag("orka.bytes", bytes.Length);
                activity.SetTag("orka.acks", (short)(Acks)context.Request.GetArgument(1)!);
            }
            else
            {
                activity.SetTag("orka.offset", ((FetchRequest)context.Request.GetArgument(0)!).Offset);
            }
        }

        await GrainSpans.InvokeAsync(context, activity);
        if (activity is { IsAllDataRequested: true })
        {
            switch (context.Result)
            {
                case ProduceResult produced:
                    activity.SetTag("orka.base_offset", produced.BaseOffset);
                    break;
                case FetchResult fetched:
                    activity.SetTag("orka.bytes", fetched.Batches.Length);
                    activity.SetTag("orka.high_watermark", fetched.HighWatermark);
                    break;
            }
        }
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
