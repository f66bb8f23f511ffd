using System.CommandLine;
using Orka.Client;

namespace Orka.Cli.Perf;

/// <summary>
/// <c>orka perf produce | consume | e2e</c>: load generators that print what Kafka's perf tools print,
/// so figures can be compared line for line. Progress goes to stdout every reporting interval.
/// </summary>
internal static class PerfCommands
{
    public static Command Build()
    {
        var perf = new Command("perf", "Measure throughput and latency: produce, consume, end to end");
        perf.Subcommands.Add(ProduceCommand());
        perf.Subcommands.Add(ConsumeCommand());
        perf.Subcommands.Add(EndToEndCommand());
        return perf;
    }

    private static Option<string> TopicOption() => new("--topic") { Description = "Topic to use (must exist)", Required = true };

    private static Option<long> NumRecordsOption() => new("--num-records") { Description = "Records to send", Required = true };

    private static Option<int> RecordSizeOption() => new("--record-size") { Description = "Bytes per record value", DefaultValueFactory = _ => 100 };

    private static Option<double> ThroughputOption() => new("--throughput") { Description = "Cap in records/s over all producers; -1 = no cap", DefaultValueFactory = _ => -1 };

    private static Option<string> AcksOption(string defaultValue) => new("--acks") { Description = "0, 1 or all", DefaultValueFactory = _ => defaultValue };

    private static Option<int> BatchSizeOption() => new("--batch-size") { Description = "Most bytes per batch per partition (the native producer's default; librdkafka's batch.size for --protocol kafka)", DefaultValueFactory = _ => new ProducerOptions().BatchSize };

    private static Option<int> LingerOption() => new("--linger-ms") { Description = "How long a partial batch waits for more records", DefaultValueFactory = _ => 5 };

    private static Option<long> WarmupRecordsOption(string description) => new("--warmup-records") { Description = description, DefaultValueFactory = _ => 0 };

    private static long WarmupRecords(ParseResult parse, Option<long> option) =>
        parse.GetValue(option) >= 0 ? parse.GetValue(option) : throw new ArgumentException("--warmup-records must not be negative.");

    private static Option<string> ProtocolOption(string description) => new("--protocol") { Description = description, DefaultValueFactory = _ => "native" };

    private static Option<string> BootstrapServersOption() => new("--bootstrap-servers") { Description = "Kafka listeners for --protocol kafka", DefaultValueFactory = _ => "127.0.0.1:9092" };

    private static Command ProduceCommand()
    {
        var topic = TopicOption();
        var numRecords = NumRecordsOption();
        var recordSize = RecordSizeOption();
        var throughput = ThroughputOption();
        var acks = AcksOption("1");
        var batchSize = BatchSizeOption();
        var linger = LingerOption();
        var producers = new Option<int>("--producers") { Description = "Concurrent producers sharing --num-records", DefaultValueFactory = _ => 1 };
        var protocol = ProtocolOption("native (Orleans client) or kafka (Confluent.Kafka through a silo's Kafka listener)");
        var bootstrap = BootstrapServersOption();
        var interval = new Option<int>("--reporting-interval") { Description = "Milliseconds between progress lines", DefaultValueFactory = _ => 5000 };
        var warmup = WarmupRecordsOption("Records sent first and left out of the figures (as Kafka's tool), so the run measures the steady state");
        var command = new Command("produce", "Send fixed-size records as fast as allowed; print Kafka's producer-perf summary line")
        {
            topic, numRecords, recordSize, throughput, acks, batchSize, linger, producers, protocol, bootstrap, interval, warmup,
        };
        command.SetAction((parse, ct) => OrkaCommands.RunGuardedAsync(ct, async cancel =>
        {
            var run = System.Diagnostics.Stopwatch.StartNew();
            var settings = Settings(parse, topic, numRecords, recordSize, throughput, acks, batchSize, linger) with
            {
                Producers = Positive(parse.GetValue(producers), "--producers"),
                ReportingInterval = TimeSpan.FromMilliseconds(Positive(parse.GetValue(interval), "--reporting-interval")),
                WarmupRecords = WarmupRecords(parse, warmup),
            };
            PerfStats stats;
            switch (parse.GetValue(protocol))
            {
                case "native":
                    stats = await RunNativeAsync(parse, settings, cancel);
                    break;
                case "kafka":
                    var servers = parse.GetValue(bootstrap)!;
                    await KafkaPerfProducer.EnsureTopicAsync(servers, settings.Topic, cancel);
                    stats = await ProducePerf.RunAsync(settings, _ => new KafkaPerfProducer(servers, settings), Console.Out, cancel);
                    break;
                case var other:
                    throw new ArgumentException($"--protocol must be native or kafka; got '{other}'.");
            }

            Console.WriteLine(ProcessGcLine.Format(run));
            Console.WriteLine(stats.SummaryLine());
            FailOnErrors(stats);
        }));
        return command;
    }

    private static Command ConsumeCommand()
    {
        var topic = TopicOption();
        var messages = new Option<long>("--messages") { Description = "Stop after this many records", Required = true };
        var group = new Option<string?>("--group") { Description = "Consumer group: start at its committed offsets and commit at the end" };
        var timeout = new Option<int>("--timeout") { Description = "Stop when no record arrives for this many ms", DefaultValueFactory = _ => 10_000 };
        var protocol = ProtocolOption("native (OrkaConsumer through the Orleans client) or kafka (Confluent.Kafka through a silo's Kafka listener)");
        var bootstrap = BootstrapServersOption();
        var fetchSize = new Option<int>("--fetch-size") { Description = "Bytes per partition fetch (native MaxFetchBytes, Kafka max.partition.fetch.bytes)", DefaultValueFactory = _ => 1024 * 1024 };
        var command = new Command("consume", "Read a topic from the beginning; print Kafka's consumer-perf columns") { topic, messages, group, timeout, protocol, bootstrap, fetchSize };
        command.SetAction((parse, ct) => OrkaCommands.RunGuardedAsync(ct, async cancel =>
        {
            var name = parse.GetValue(topic)!;
            Names.ValidateTopicName(name);
            var groupId = parse.GetValue(group);
            if (groupId is not null)
            {
                Names.ValidateGroupId(groupId);
            }

            var count = Positive(parse.GetValue(messages), "--messages");
            var idle = TimeSpan.FromMilliseconds(Positive(parse.GetValue(timeout), "--timeout"));
            var fetchBytes = Positive(parse.GetValue(fetchSize), "--fetch-size");
            (long Records, string Line) result = default;
            switch (parse.GetValue(protocol))
            {
                case "native":
                    await OrkaCommands.WithClusterAsync(parse, cancel, async (client, c) =>
                    {
                        await using var consumer = new NativePerfConsumer(client, name, groupId, fetchBytes);
                        result = await ConsumePerf.RunAsync(consumer, count, idle, c);
                    });
                    break;
                case "kafka":
                    await using (var consumer = new KafkaPerfConsumer(parse.GetValue(bootstrap)!, name, groupId, fetchBytes))
                    {
                        result = await ConsumePerf.RunAsync(consumer, count, idle, cancel);
                    }

                    break;
                case var other:
                    throw new ArgumentException($"--protocol must be native or kafka; got '{other}'.");
            }

            Console.WriteLine(ConsumePerf.Header);
            Console.WriteLine(result.Line);
            if (result.Records < count)
            {
                throw new CliException($"only {result.Records} of {count} records arrived before the timeout.");
            }
        }));
        return command;
    }

    private static Command EndToEndCommand()
    {
        var topic = TopicOption();
        var numRecords = NumRecordsOption();
        var recordSize = RecordSizeOption();
        var throughput = ThroughputOption();
        var acks = AcksOption("1");
        var batchSize = BatchSizeOption();
        var linger = LingerOption();
        var timeout = new Option<int>("--timeout") { Description = "Stop waiting when no record arrives for this many ms", DefaultValueFactory = _ => 10_000 };
        var warmup = WarmupRecordsOption("Records sent and consumed first, at the same rate, and left out of the figures (the first second of a fresh process is JIT)");
        var command = new Command("e2e", "Produce at a fixed rate and consume in the same process; print produce-to-consume latency percentiles")
        {
            topic, numRecords, recordSize, throughput, acks, batchSize, linger, timeout, warmup,
        };
        command.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, cancel) =>
        {
            var run = System.Diagnostics.Stopwatch.StartNew();
            var settings = Settings(parse, topic, numRecords, recordSize, throughput, acks, batchSize, linger) with { WarmupRecords = WarmupRecords(parse, warmup) };
            await new OrkaAdmin(client).GetTopicAsync(settings.Topic);
            var (stats, received) = await EndToEndPerf.RunAsync(
                client, settings, TimeSpan.FromMilliseconds(Positive(parse.GetValue(timeout), "--timeout")), Console.Out, cancel);
            if (settings.WarmupRecords > 0)
            {
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"warm-up: {settings.WarmupRecords} records sent first, not counted below."));
            }

            Console.WriteLine(ProcessGcLine.Format(run));
            Console.WriteLine(stats.SummaryLine().Replace("records sent", "records received end to end", StringComparison.Ordinal));
            FailOnErrors(stats);
            if (received < settings.NumRecords)
            {
                throw new CliException($"only {received} of {settings.NumRecords} records arrived end to end.");
            }
        }));
        return command;
    }

    private static async Task<PerfStats> RunNativeAsync(ParseResult parse, PerfSettings settings, CancellationToken cancellationToken)
    {
        PerfStats? stats = null;
        await OrkaCommands.WithClusterAsync(parse, cancellationToken, async (client, cancel) =>
        {
            await new OrkaAdmin(client).GetTopicAsync(settings.Topic);
            // The run's window (MaxOutstandingBytes of values) is the bound, as for --protocol kafka: the
            // producer's buffer counts each record with its worst-case framing (36 bytes more at 100 B),
            // so at the same size it would fill first and hold records back (copied) on its slower path.
            var options = new ProducerOptions
            {
                Acks = settings.Acks,
                BatchSize = settings.BatchSize,
                Linger = settings.Linger,
                BufferMemory = Math.Max(new ProducerOptions().BufferMemory, 2 * settings.MaxOutstandingBytes),
            };
            stats = await ProducePerf.RunAsync(settings, _ => new NativePerfProducer(client, settings.Topic, options), Console.Out, cancel);
        });
        return stats!;
    }

    private static PerfSettings Settings(
        ParseResult parse, Option<string> topic, Option<long> numRecords, Option<int> recordSize, Option<double> throughput,
        Option<string> acks, Option<int> batchSize, Option<int> linger)
    {
        var name = parse.GetValue(topic)!;
        Names.ValidateTopicName(name);
        var rate = parse.GetValue(throughput);
        if (rate == 0)
        {
            throw new ArgumentException("--throughput must be positive, or -1 for no cap.");
        }

        return new PerfSettings
        {
            Topic = name,
            NumRecords = Positive(parse.GetValue(numRecords), "--num-records"),
            RecordSize = Positive(parse.GetValue(recordSize), "--record-size"),
            Throughput = rate,
            Acks = OrkaCommands.ParseAcks(parse.GetValue(acks)!),
            BatchSize = Positive(parse.GetValue(batchSize), "--batch-size"),
            Linger = TimeSpan.FromMilliseconds(NonNegative(parse.GetValue(linger), "--linger-ms")),
        };
    }

    private static void FailOnErrors(PerfStats stats)
    {
        if (stats.Errors > 0)
        {
            throw new CliException($"{stats.Errors} records failed; first error: {stats.FirstError?.Message ?? "unknown"}");
        }
    }

    private static T Positive<T>(T value, string name)
        where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"{name} must be positive; got {value}.");

    private static int NonNegative(int value, string name) =>
        value >= 0 ? value : throw new ArgumentException($"{name} must not be negative; got {value}.");
}
