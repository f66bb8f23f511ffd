using System.Globalization;
using System.Text;

namespace Orka.Cli.Tests;

public sealed class CliTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private Task<OrkaCli.Result> Orka(string? stdin, params string[] args) => OrkaCli.RunAsync(silo.Gateway, stdin, args);

    // Intent: the quick start works: create, produce lines with keys, consume them all back, keyed order kept.
    [Fact]
    public async Task Cli_CreateProduceConsume_EveryRecordBackInKeyOrder()
    {
        var created = await Orka(null, "topics", "create", "quick", "--partitions", "3");
        Assert.True(created.ExitCode == 0, created.Stderr);

        var lines = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"k{i % 7}:{i}\n");
        }

        var produced = await Orka(lines.ToString(), "produce", "quick", "--key-separator", ":");
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        var consumed = await Orka(null, "consume", "quick", "--from-beginning", "--max-messages", "1000", "--print-key", "--timeout-ms", "20000");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        var records = consumed.Lines.Select(l => l.Split('\t')).Select(p => (Key: p[0], Value: int.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(Enumerable.Range(0, 1000), records.Select(r => r.Value).Order());
        foreach (var byKey in records.GroupBy(r => r.Key))
        {
            Assert.Equal($"k{byKey.First().Value % 7}", byKey.Key);
            Assert.Equal(byKey.Select(r => r.Value).Order(), byKey.Select(r => r.Value));
        }

        var listed = await Orka(null, "topics", "list");
        Assert.Contains("quick", listed.Lines);

        var described = await Orka(null, "topics", "describe", "quick");
        Assert.True(described.ExitCode == 0, described.Stderr);
        var partitions = described.Lines.Where(l => l.TrimStart().StartsWith("Partition:", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, partitions.Count);
        Assert.Equal(1000, partitions.Sum(l => long.Parse(l.Split("LogEndOffset: ")[1].Split('\t')[0], CultureInfo.InvariantCulture)));
    }

    // Intent: a group resumes where it committed: a second run of the same group gets nothing old.
    [Fact]
    public async Task Cli_ConsumeWithGroup_SecondRunResumesAfterCommittedOffsets()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "grouped", "--partitions", "2")).ExitCode);
        Assert.Equal(0, (await Orka("a\nb\nc\n", "produce", "grouped")).ExitCode);

        var first = await Orka(null, "consume", "grouped", "--group", "g1", "--from-beginning", "--max-messages", "3", "--timeout-ms", "20000");
        Assert.Equal(["a", "b", "c"], first.Lines.Order());

        Assert.Equal(0, (await Orka("d\n", "produce", "grouped")).ExitCode);
        var second = await Orka(null, "consume", "grouped", "--group", "g1", "--from-beginning", "--timeout-ms", "5000");
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(["d"], second.Lines);
    }

    // Intent: bad input gives exit code 1, one line on stderr, and changes nothing.
    [Theory]
    [InlineData("bad/name", "topics", "create", "bad/name", "--partitions", "1")]
    [InlineData("zero-partitions", "topics", "create", "zero-partitions", "--partitions", "0")]
    [InlineData("missing", "topics", "describe", "missing")]
    [InlineData("missing", "topics", "delete", "missing")]
    [InlineData("missing", "produce", "missing")]
    [InlineData("missing", "consume", "missing", "--timeout-ms", "100")]
    public async Task Cli_BadInput_ExitsNonZeroWithOneLineError(string topic, params string[] args)
    {
        var result = await Orka("x\n", args);
        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("orka: ", result.Stderr, StringComparison.Ordinal);
        var listed = await Orka(null, "topics", "list");
        Assert.DoesNotContain(topic, listed.Lines);
    }

    // Intent: alter grows partitions and changes config; offsets reports earliest and latest per partition.
    [Fact]
    public async Task Cli_AlterAndOffsets_GrowTopicAndReportOffsets()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "altered", "--partitions", "1")).ExitCode);
        Assert.Equal(0, (await Orka("a\nb\n", "produce", "altered")).ExitCode);
        var alter = await Orka(null, "topics", "alter", "altered", "--partitions", "3", "--config", "retention.ms=60000");
        Assert.True(alter.ExitCode == 0, alter.Stderr);

        var described = await Orka(null, "topics", "describe", "altered");
        Assert.Contains("PartitionCount: 3", described.Stdout, StringComparison.Ordinal);
        Assert.Contains("retention.ms=60000", described.Stdout, StringComparison.Ordinal);

        var latest = await Orka(null, "topics", "offsets", "altered", "--time", "latest");
        Assert.Equal(["altered:0:2", "altered:1:0", "altered:2:0"], latest.Lines);
        var earliest = await Orka(null, "topics", "offsets", "altered", "--time", "earliest");
        Assert.Equal(["altered:0:0", "altered:1:0", "altered:2:0"], earliest.Lines);

        var bad = await Orka(null, "topics", "alter", "altered", "--config", "retention.ms=soon");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("retention.ms=60000", (await Orka(null, "topics", "describe", "altered")).Stdout, StringComparison.Ordinal);
    }

    // Intent: creating a topic twice fails the second time and keeps the first.
    [Fact]
    public async Task Cli_CreateDuplicate_FailsAndKeepsOriginal()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "dup", "--partitions", "2")).ExitCode);
        var again = await Orka(null, "topics", "create", "dup", "--partitions", "4");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        var described = await Orka(null, "topics", "describe", "dup");
        Assert.Contains("PartitionCount: 2", described.Stdout, StringComparison.Ordinal);
    }

    // Intent: an unreachable cluster is reported, not hung on.
    [Fact]
    public async Task Cli_UnreachableGateway_ExitsWithConnectionError()
    {
        var port = FreePorts.Take(1)[0];
        var result = await OrkaCli.RunAsync($"127.0.0.1:{port}", null, "topics", "list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot connect", result.Stderr, StringComparison.Ordinal);
    }
}
