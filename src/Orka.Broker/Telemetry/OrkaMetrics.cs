using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Orka.Broker.Cluster;
using Orka.Records;
using Orka.Storage;

namespace Orka.Broker.Telemetry;

/// <summary>
/// The <c>Orka</c> meter of one node: records and bytes in (produce) and out (fetch) per topic,
/// produce and fetch latency, and the partitions this node holds. Created through
/// <see cref="IMeterFactory"/>, so OpenTelemetry's <c>AddMeter("Orka")</c> (ServiceDefaults) exports
/// it and tests can listen to one silo's meter. The partition grain reports once per call (a batch or a
/// fetch), never per record; counting the records of a fetch walks batch headers only, and only while
/// someone listens.
/// </summary>
public sealed class OrkaMetrics
{
    /// <summary>The meter name, as given to <c>AddMeter</c>.</summary>
    public const string MeterName = "Orka";

    private readonly Counter<long> _recordsIn;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _recordsOut;
    private readonly Counter<long> _bytesOut;
    private readonly Histogram<double> _produceDuration;
    private readonly Histogram<double> _fetchDuration;

    /// <summary>Creates the instruments; <paramref name="logs"/> is asked for the partition count when the gauge is observed.</summary>
    public OrkaMetrics(IMeterFactory meters, LogManager logs, IOptions<OrkaNodeOptions> node)
    {
        var meter = meters.Create(MeterName);
        _recordsIn = meter.CreateCounter<long>("orka.records.in", "{record}", "Records appended to partitions of this node (tag: topic).");
        _bytesIn = meter.CreateCounter<long>("orka.bytes.in", "By", "Record batch bytes appended to partitions of this node (tag: topic).");
        _recordsOut = meter.CreateCounter<long>("orka.records.out", "{record}", "Records returned by fetches from this node (tag: topic).");
        _bytesOut = meter.CreateCounter<long>("orka.bytes.out", "By", "Record batch bytes returned by fetches from this node (tag: topic).");
        _produceDuration = meter.CreateHistogram<double>(
            "orka.produce.duration", "ms", "Time from a produce call reaching the partition to its answer, flush included for acks=all (tags: topic, acks).");
        _fetchDuration = meter.CreateHistogram<double>(
            "orka.fetch.duration", "ms", "Time from a fetch reaching the partition to its answer, long-poll wait included (tag: topic).");
        var nodeTag = new KeyValuePair<string, object?>("node", node.Value.NodeId);

        // A directory listing of the node's data directory per observation (once per export interval).
        meter.CreateObservableGauge(
            "orka.partitions", () => new Measurement<int>(logs.ListLogs().Count, nodeTag), "{partition}", "Partition logs this node holds (tag: node).");
    }

    /// <summary>One appended produce call: its records, bytes and latency.</summary>
    internal void Produced(string topic, Acks acks, int records, int bytes, TimeSpan duration)
    {
        var topicTag = new KeyValuePair<string, object?>("topic", topic);
        _recordsIn.Add(records, topicTag);
        _bytesIn.Add(bytes, topicTag);
        _produceDuration.Record(duration.TotalMilliseconds, topicTag, new KeyValuePair<string, object?>("acks", AcksTag(acks)));
    }

    /// <summary>One answered fetch: the records and bytes it returned, and its latency.</summary>
    internal void Fetched(string topic, ReadOnlySpan<byte> batches, TimeSpan duration)
    {
        var topicTag = new KeyValuePair<string, object?>("topic", topic);
        if (_recordsOut.Enabled)
        {
            _recordsOut.Add(CountRecords(batches), topicTag);
        }

        _bytesOut.Add(batches.Length, topicTag);
        _fetchDuration.Record(duration.TotalMilliseconds, topicTag);
    }

    private static string AcksTag(Acks acks) => acks switch
    {
        Acks.None => "0",
        Acks.Leader => "1",
        Acks.All => "all",
        _ => ((short)acks).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Records in the whole batches of a fetch, from their headers' record counts (right for compacted batches too).</summary>
    private static long CountRecords(ReadOnlySpan<byte> batches)
    {
        long records = 0;
        while (batches.Length >= RecordBatchHeader.Size)
        {
            var header = RecordBatchHeader.Read(batches);
            if (header.SizeInBytes > batches.Length || header.SizeInBytes < RecordBatchHeader.Size)
            {
                break;
            }

            records += Math.Max(header.RecordCount, 0);
            batches = batches[header.SizeInBytes..];
        }

        return records;
    }
}
