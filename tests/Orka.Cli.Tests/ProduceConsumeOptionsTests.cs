using System.Globalization;
using System.Text.Json;

namespace Orka.Cli.Tests;

/// <summary>produce's --key/--partition/--header and consume's --partition/--offset/--format, against a real node.</summary>
public sealed class ProduceConsumeOptionsTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private Task<OrkaCli.Result> Orka(string? stdin, params string[] args) => OrkaCli.RunAsync(silo.Gateway, stdin, args);

    // Intent: a fixed key, a chosen partition and headers reach the records, and a template prints every field.
    [Fact]
    public async Task Produce_KeyPartitionHeaders_ConsumeTemplatePrintsThem()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "fields", "--partitions", "3")).ExitCode);
        var produced = await Orka("a\nb\n", "produce", "fields", "--key", "K", "--partition", "2", "--header", "h1=x", "--header", "h2=y=z");
        Assert.True(produced.ExitCode == 0, produced.Stderr);
        Assert.Contains("Produced 2 records to fields.", produced.Stderr, StringComparison.Ordinal);

        var consumed = await Orka(null, "consume", "fields", "--offset", "start", "--max-messages", "2", "--timeout-ms", "20000",
            "--format", @"%T|%p|%o|%k|%v|%h|%t\t%%\n");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        Assert.Equal(2, consumed.Lines.Length);
        for (var i = 0; i < 2; i++)
        {
            var fields = consumed.Lines[i].Split('|');
            Assert.Equal(["fields", "2", i.ToString(CultureInfo.InvariantCulture), "K", i == 0 ? "a" : "b", "h1=x,h2=y=z"], fields[..6]);
            var (timestamp, rest) = (fields[6].Split('\t')[0], fields[6].Split('\t')[1]);
            Assert.InRange(long.Parse(timestamp, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Assert.Equal("%", rest);
        }
    }

    // Intent: --format json prints one object per record with every field; a null key is null.
    [Fact]
    public async Task Consume_FormatJson_OneObjectPerRecord()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "json", "--partitions", "1")).ExitCode);
        Assert.Equal(0, (await Orka("k:v\"1\nplain\n", "produce", "json", "--key-separator", ":", "-H", "src=cli")).ExitCode);

        var consumed = await Orka(null, "consume", "json", "--from-beginning", "--max-messages", "2", "--timeout-ms", "20000", "--format", "json");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        var records = consumed.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal("json", records[0].GetProperty("topic").GetString());
        Assert.Equal(0, records[0].GetProperty("partition").GetInt32());
        Assert.Equal([0L, 1L], records.Select(r => r.GetProperty("offset").GetInt64()));
        Assert.True(records[0].GetProperty("timestamp").GetInt64() > 0);
        Assert.Equal("k", records[0].GetProperty("key").GetString());
        Assert.Equal("v\"1", records[0].GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("key").ValueKind);
        Assert.Equal("cli", records[1].GetProperty("headers").GetProperty("src").GetString());
    }

    // Intent: --partition limits consume to those partitions; --offset starts at an offset, at the end, or at a time.
    [Fact]
    public async Task Consume_PartitionAndOffset_StartWhereAsked()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "where", "--partitions", "3")).ExitCode);
        foreach (var p in new[] { 0, 1, 2 })
        {
            var lines = string.Concat(Enumerable.Range(0, 5).Select(i => $"p{p}-{i}\n"));
            Assert.Equal(0, (await Orka(lines, "produce", "where", "--partition", p.ToString(CultureInfo.InvariantCulture))).ExitCode);
        }

        var two = await Orka(null, "consume", "where", "--partition", "0,2", "--offset", "3", "--timeout-ms", "3000");
        Assert.True(two.ExitCode == 0, two.Stderr);
        Assert.Equal(["p0-3", "p0-4", "p2-3", "p2-4"], two.Lines.Order());

        var repeated = await Orka(null, "consume", "where", "-p", "1", "-p", "2", "--offset", "start", "--timeout-ms", "3000");
        Assert.Equal(10, repeated.Lines.Length);
        Assert.DoesNotContain(repeated.Lines, l => l.StartsWith("p0-", StringComparison.Ordinal));

        var end = await Orka(null, "consume", "where", "--offset", "end", "--timeout-ms", "2000");
        Assert.True(end.ExitCode == 0, end.Stderr);
        Assert.Empty(end.Lines);

        var lastHour = await Orka(null, "consume", "where", "--offset", "-1h", "--timeout-ms", "3000");
        Assert.Equal(15, lastHour.Lines.Length);
        var future = await Orka(null, "consume", "where", "--offset", "@2100-01-01T00:00:00Z", "--timeout-ms", "2000");
        Assert.Empty(future.Lines);
        var past = await Orka(null, "consume", "where", "--offset", "@0", "--partition", "1", "--timeout-ms", "3000");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"p1-{i}"), past.Lines);
    }

    // Intent: bad option values are usage errors (exit 2, one line naming the option); a partition the topic lacks is exit 1.
    [Fact]
    public async Task ProduceConsume_BadOptionValues_ExitTwoWithOneLine()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "strict", "--partitions", "2")).ExitCode);
        var cases = new (string[] Args, int Exit, string Says)[]
        {
            (["consume", "strict", "--offset", "soon"], 2, "--offset"),
            (["consume", "strict", "--offset", "-5x"], 2, "--offset"),
            (["consume", "strict", "--partition", "one"], 2, "--partition"),
            (["consume", "strict", "--format", "%q"], 2, "--format"),
            (["consume", "strict", "--format", "trailing%"], 2, "--format"),
            (["consume", "strict", "--group", "g", "--partition", "1"], 2, "--partition"),
            (["consume", "strict", "--partition", "5", "--timeout-ms", "100"], 1, "no partition 5"),
            (["produce", "strict", "--header", "novalue"], 2, "--header"),
            (["produce", "strict", "--key", "k", "--key-separator", ":"], 2, "--key"),
            (["produce", "strict", "--partition", "-1"], 2, "--partition"),
            (["produce", "strict", "--retries", "-1"], 2, "--retries"),
            (["produce", "strict", "--partition", "2"], 1, "no partition 2"),
        };
        foreach (var (args, exit, says) in cases)
        {
            var result = await Orka("x\n", args);
            Assert.True(exit == result.ExitCode, $"orka {string.Join(' ', args)}: exit {result.ExitCode}, {result.Stderr}");
            Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(says, result.Stderr, StringComparison.Ordinal);
        }

        var offsets = await Orka(null, "topics", "offsets", "strict");
        Assert.Equal(["strict:0:0", "strict:1:0"], offsets.Lines);
    }
}
