using System.Globalization;
using System.Text.RegularExpressions;

namespace Orka.Cli.Tests;

public sealed partial class PerfCommandTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private Task<OrkaCli.Result> Orka(params string[] args) => OrkaCli.RunAsync(silo.Gateway, null, args);

    [GeneratedRegex(@"^(\d+) records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, ([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th, ([\d.]+) ms 99\.9th\.$")]
    private static partial Regex SummaryLine();

    // Intent: perf produce sends exactly --num-records, every one lands in the topic, and the last line is Kafka's summary format.
    [Fact]
    public async Task PerfProduce_TwoProducers_AllRecordsAppendedAndKafkaSummaryPrinted()
    {
        Assert.Equal(0, (await Orka("topics", "create", "perf-p", "--partitions", "3")).ExitCode);

        var run = await Orka("perf", "produce", "--topic", "perf-p", "--num-records", "20000", "--record-size", "200", "--acks", "all", "--producers", "2");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var match = SummaryLine().Match(run.Lines[^1]);
        Assert.True(match.Success, $"not Kafka's summary format: {run.Lines[^1]}");
        Assert.Equal("20000", match.Groups[1].Value);
        var percentiles = Enumerable.Range(2, 4).Select(g => double.Parse(match.Groups[g].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(percentiles.Order(), percentiles);
        Assert.Equal(20000, await LogEndOffsetSumAsync("perf-p"));
    }

    // Intent: --warmup-records are sent (and land in the topic) before the run but count in none of
    // its figures: the summary covers exactly --num-records, after a line that says the warm-up is left out.
    [Fact]
    public async Task PerfProduce_WarmupRecords_SentButLeftOutOfTheSummary()
    {
        Assert.Equal(0, (await Orka("topics", "create", "perf-warm", "--partitions", "2")).ExitCode);

        var run = await Orka("perf", "produce", "--topic", "perf-warm", "--num-records", "3000", "--warmup-records", "1001", "--producers", "2");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("warm-up: 1001 records sent and acknowledged, not counted below.", run.Lines);
        var match = SummaryLine().Match(run.Lines[^1]);
        Assert.True(match.Success, $"not Kafka's summary format: {run.Lines[^1]}");
        Assert.Equal("3000", match.Groups[1].Value);
        Assert.Equal(4001, await LogEndOffsetSumAsync("perf-warm"));
    }

    // Intent: perf consume reads what is there and prints Kafka's consumer-perf columns with the record count.
    [Fact]
    public async Task PerfConsume_AfterProduce_ReadsEveryRecord()
    {
        Assert.Equal(0, (await Orka("topics", "create", "perf-c", "--partitions", "2")).ExitCode);
        Assert.Equal(0, (await Orka("perf", "produce", "--topic", "perf-c", "--num-records", "5000", "--record-size", "100")).ExitCode);

        var run = await Orka("perf", "consume", "--topic", "perf-c", "--messages", "5000", "--timeout", "20000");

        AssertConsumedAll(run, records: 5000, recordSize: 100);
    }

    // Intent: perf consume over the Kafka protocol (Confluent.Kafka through the silo's Kafka listener) reads every record and counts its bytes.
    [Fact]
    public async Task PerfConsume_KafkaProtocol_ReadsEveryRecord()
    {
        Assert.Equal(0, (await Orka("topics", "create", "perf-ck", "--partitions", "3")).ExitCode);
        Assert.Equal(0, (await Orka("perf", "produce", "--topic", "perf-ck", "--num-records", "5000", "--record-size", "100")).ExitCode);

        var run = await Orka("perf", "consume", "--topic", "perf-ck", "--messages", "5000", "--timeout", "20000", "--protocol", "kafka", "--bootstrap-servers", silo.KafkaBootstrap);

        AssertConsumedAll(run, records: 5000, recordSize: 100);
    }

    // Intent: an unknown --protocol for perf consume is refused with a message naming the choices.
    [Fact]
    public async Task PerfConsume_UnknownProtocol_FailsNamingTheChoices()
    {
        var run = await Orka("perf", "consume", "--topic", "perf-c", "--messages", "10", "--protocol", "amqp");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("native or kafka", run.Stderr, StringComparison.Ordinal);
    }

    // Intent: a fetch size of zero is refused before anything is read.
    [Fact]
    public async Task PerfConsume_ZeroFetchSize_FailsNamingTheOption()
    {
        var run = await Orka("perf", "consume", "--topic", "perf-c", "--messages", "10", "--fetch-size", "0");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--fetch-size must be positive", run.Stderr, StringComparison.Ordinal);
    }

    // Intent: asking for more records than exist ends at the idle timeout with exit 1, not a hang.
    [Fact]
    public async Task PerfConsume_FewerRecordsThanAsked_FailsAfterTimeout()
    {
        Assert.Equal(0, (await Orka("topics", "create", "perf-short", "--partitions", "1")).ExitCode);
        Assert.Equal(0, (await Orka("perf", "produce", "--topic", "perf-short", "--num-records", "10")).ExitCode);

        var run = await Orka("perf", "consume", "--topic", "perf-short", "--messages", "11", "--timeout", "1000");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("only 10 of 11", run.Stderr, StringComparison.Ordinal);
    }

    // Intent: e2e measures every record it sent and reports latency percentiles.
    [Fact]
    public async Task PerfEndToEnd_FixedRate_EveryRecordMeasured()
    {
        Assert.Equal(0, (await Orka("topics", "create", "perf-e2e", "--partitions", "2")).ExitCode);

        var run = await Orka("perf", "e2e", "--topic", "perf-e2e", "--num-records", "2000", "--throughput", "2000", "--linger-ms", "0");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.StartsWith("2000 records received end to end, ", run.Lines[^1], StringComparison.Ordinal);
        Assert.Contains(" ms 99.9th.", run.Lines[^1], StringComparison.Ordinal);
    }

    // Intent: e2e warm-up records are produced (they land in the topic) and consumed first but left
    // out of the figures: the summary covers exactly --num-records.
    [Fact]
    public async Task PerfEndToEnd_WarmupRecords_ProducedButNotMeasured()
    {
        Assert.Equal(0, (await Orka("topics", "create", "perf-e2e-warm", "--partitions", "2")).ExitCode);

        var run = await Orka("perf", "e2e", "--topic", "perf-e2e-warm", "--num-records", "1000", "--warmup-records", "700", "--throughput", "5000", "--linger-ms", "0");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("warm-up: 700 records sent first, not counted below.", run.Lines);
        Assert.StartsWith("1000 records received end to end, ", run.Lines[^1], StringComparison.Ordinal);
        Assert.Equal(1700, await LogEndOffsetSumAsync("perf-e2e-warm"));
    }


    [Theory]
    [InlineData("--num-records", "0")]
    [InlineData("--record-size", "-5")]
    [InlineData("--throughput", "0")]
    [InlineData("--acks", "2")]
    [InlineData("--producers", "many")]
    [InlineData("--warmup-records", "-1")]
    public async Task PerfProduce_BadArgument_ExitTwo(string option, string value)
    {
        string[] args = option == "--num-records"
            ? ["perf", "produce", "--topic", "perf-bad", option, value]
            : ["perf", "produce", "--topic", "perf-bad", "--num-records", "10", option, value];
        var run = await Orka(args);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("orka: ", run.Stderr, StringComparison.Ordinal);
    }

    // Intent: a command line that does not parse (required option missing) is a usage error too.
    [Fact]
    public async Task PerfProduce_NoTopicOption_ExitTwo()
    {
        var run = await Orka("perf", "produce", "--num-records", "10");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--topic", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PerfProduce_MissingTopic_ExitOneNothingCreated()
    {
        var run = await Orka("perf", "produce", "--topic", "perf-missing", "--num-records", "10");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("UnknownTopicOrPartition", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("perf-missing", (await Orka("topics", "list")).Lines);
    }

    private async Task<long> LogEndOffsetSumAsync(string topic)
    {
        var described = await Orka("topics", "describe", topic);
        return described.Lines
            .Where(l => l.Contains("LogEndOffset: ", StringComparison.Ordinal))
            .Sum(l => long.Parse(l.Split("LogEndOffset: ")[1].Split('\t')[0], CultureInfo.InvariantCulture));
    }

    /// <summary>perf consume's last two lines: Kafka's consumer-perf header, then the counts of a complete read.</summary>
    private static void AssertConsumedAll(OrkaCli.Result run, int records, int recordSize)
    {
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.StartsWith("start.time, end.time, data.consumed.in.MB", run.Lines[^2], StringComparison.Ordinal);
        var columns = run.Lines[^1].Split(", ");
        Assert.Equal(records.ToString(CultureInfo.InvariantCulture), columns[4]);
        Assert.Equal(records * recordSize / (1024.0 * 1024.0), double.Parse(columns[2], CultureInfo.InvariantCulture), 3);
    }
}
