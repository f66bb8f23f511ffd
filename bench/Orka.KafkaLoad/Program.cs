using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

// The issue's done-when check, by hand against a running cluster (e.g. `dotnet run --project AppHost`):
//   dotnet run -c Release --project bench/Orka.KafkaLoad -- [bootstrap] [records] [partitions] [valueBytes] [acks]
// Defaults: 127.0.0.1:9092, 1,000,000 records, 6 partitions, 100-byte values, acks=all (idempotent).
// Every value starts with its sequence number; the key picks the partition. Exit code 0 only when
// every record arrived exactly once and each partition's sequence numbers arrived in increasing order.
// `compare <bootstrap> <gateway> [records]`: producer and consumer throughput, librdkafka over the
// Kafka listener next to the native Orka client over Orleans, same silo, same run.
if (args.Length > 0 && args[0] == "compare")
{
    return await Orka.KafkaLoad.ThroughputComparison.RunAsync(args[1..]);
}

var bootstrap = args.Length > 0 ? args[0] : "127.0.0.1:9092";
var records = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var partitions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 6;
var valueBytes = Math.Max(8, args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100);
var acks = args.Length > 4 && args[4] == "1" ? Acks.Leader : Acks.All;
var topic = $"load-{DateTime.UtcNow:yyyyMMddHHmmss}";
var group = $"{topic}-group";
Console.WriteLine($"librdkafka {Library.VersionString}; {bootstrap}; topic {topic}: {records:N0} records of {valueBytes} B over {partitions} partitions, acks={acks}");

using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
{
    var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
    Console.WriteLine($"brokers: {string.Join(", ", metadata.Brokers.Select(b => $"{b.BrokerId}@{b.Host}:{b.Port}"))}");
    await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
}

// Two group members start first, so the whole run is consumed by the group.
var received = new long[records];
var lastPerPartition = new ConcurrentDictionary<int, long>();
var orderViolations = 0L;
var duplicates = 0L;
var total = 0L;
using var stop = new CancellationTokenSource();
var perMember = new long[2];
var assigned = new int[2];
var members = Enumerable.Range(0, 2).Select(m => new Thread(() =>
{
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = true,
        FetchMaxBytes = 16 << 20,
        MaxPartitionFetchBytes = 4 << 20,
    })
        .SetPartitionsAssignedHandler((_, ps) => Volatile.Write(ref assigned[m], ps.Count))
        .Build();
    consumer.Subscribe(topic);
    while (!stop.IsCancellationRequested)
    {
        var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
        if (r is null || r.IsPartitionEOF)
        {
            continue;
        }

        var sequence = BinaryPrimitives.ReadInt64BigEndian(r.Message.Value);
        if (Interlocked.Exchange(ref received[sequence], 1) == 1)
        {
            Interlocked.Increment(ref duplicates);
        }

        // A partition is consumed by one member at a time; after a rebalance the new owner resumes from the commit.
        var previous = lastPerPartition.GetValueOrDefault(r.Partition.Value, -1);
        if (sequence <= previous)
        {
            Interlocked.Increment(ref orderViolations);
        }

        lastPerPartition[r.Partition.Value] = sequence;
        Interlocked.Increment(ref perMember[m]);
        Interlocked.Increment(ref total);
    }

    consumer.Close();
}) { IsBackground = true }).ToList();
members.ForEach(t => t.Start());
var groupWait = Stopwatch.StartNew();
while (assigned.Sum() < partitions && groupWait.Elapsed < TimeSpan.FromSeconds(60))
{
    await Task.Delay(100);
}

Console.WriteLine($"group formed in {groupWait.Elapsed.TotalSeconds:F1} s: member partitions {assigned[0]} + {assigned[1]}");

var produce = Stopwatch.StartNew();
long failed = 0;
using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
{
    BootstrapServers = bootstrap,
    EnableIdempotence = acks == Acks.All,
    Acks = acks,
    LingerMs = 5,
    BatchSize = 1 << 20,
    QueueBufferingMaxMessages = 1_000_000,
}).Build())
{
    var value = new byte[valueBytes];
    for (var i = 0; i < records; i++)
    {
        var v = (byte[])value.Clone();
        BinaryPrimitives.WriteInt64BigEndian(v, i);
        var key = BitConverter.GetBytes(i % 1024);
        while (true)
        {
            try
            {
                producer.Produce(topic, new Message<byte[], byte[]> { Key = key, Value = v }, d =>
                {
                    if (d.Error.IsError)
                    {
                        Interlocked.Increment(ref failed);
                    }
                });
                break;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    producer.Flush(TimeSpan.FromMinutes(5));
}

produce.Stop();
Console.WriteLine($"produced {records:N0} in {produce.Elapsed.TotalSeconds:F1} s = {records / produce.Elapsed.TotalSeconds:N0} records/s, {(double)records * valueBytes / produce.Elapsed.TotalSeconds / 1e6:F1} MB/s; failed deliveries {failed}");

var consumeWait = Stopwatch.StartNew();
while (Interlocked.Read(ref total) < records && consumeWait.Elapsed < TimeSpan.FromMinutes(5))
{
    await Task.Delay(200);
}

var endToEnd = produce.Elapsed + consumeWait.Elapsed;
stop.Cancel();
members.ForEach(t => t.Join());
var missing = received.LongCount(r => r == 0);
Console.WriteLine($"consumed {total:N0} (member a {perMember[0]:N0}, member b {perMember[1]:N0}); all received {endToEnd.TotalSeconds:F1} s after the first send = {records / endToEnd.TotalSeconds:N0} records/s end to end");
Console.WriteLine($"missing {missing}, duplicates {duplicates}, per-partition order violations {orderViolations}");
return missing == 0 && duplicates == 0 && orderViolations == 0 && failed == 0 ? 0 : 1;
