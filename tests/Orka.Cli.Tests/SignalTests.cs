using System.Globalization;
using System.Text.RegularExpressions;

namespace Orka.Cli.Tests;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM and SIGKILL sent to real orka processes, some inside a pseudo-terminal
/// (stdout a terminal, as for a user), and what a group consumer has committed by then.
/// </summary>
public sealed class SignalTests(SiloFixture silo) : IClassFixture<SiloFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orka-signals-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<OrkaCli.Result> Orka(string? stdin, params string[] args) => OrkaCli.RunAsync(silo.Gateway, stdin, args);

    // Intent: on a terminal consume prints records as they arrive, commits what it printed while it
    // runs, and Ctrl+C stops it promptly: it commits, leaves the group and exits 130.
    [Fact]
    public async Task Consume_InTerminal_LiveOutputCommitsWhileRunningAndSigintExits130()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "tty", "--partitions", "2")).ExitCode);
        Assert.Equal(0, (await Orka("r1\nr2\nr3\nr4\nr5\n", "produce", "tty")).ExitCode);

        using var consume = RunningOrka.StartInTerminal(silo.Gateway, _directory, "consume", "tty", "--group", "watch", "--from-beginning");
        await consume.UntilAsync(c => Records(c).Count == 5, "the 5 records on the terminal");
        Assert.False(consume.HasExited);
        await UntilCommittedAsync("watch", 5, consume);

        // More records while it runs: printed at once, and committed too.
        Assert.Equal(0, (await Orka("r6\nr7\n", "produce", "tty")).ExitCode);
        await consume.UntilAsync(c => Records(c).Count == 7, "the 2 later records on the terminal");
        await UntilCommittedAsync("watch", 7, consume);

        await consume.SignalAsync("INT");
        Assert.Equal(130, await consume.ExitAsync());
        Assert.Contains("Processed a total of 7 messages", consume.Stdout, StringComparison.Ordinal);
        var described = await Orka(null, "groups", "describe", "watch");
        Assert.StartsWith("Group: watch\tState: Empty", described.Lines[0], StringComparison.Ordinal);
        Assert.Equal(7, GroupCliTests.PartitionRows(described).Values.Sum(r => r.Committed));
        Assert.Equal(0, GroupCliTests.PartitionRows(described).Values.Sum(r => r.Lag));
    }

    // Intent: a group consumer whose output is piped commits what it printed while running, so a
    // SIGKILL keeps that progress: the next run of the group gets only what came after.
    [Fact]
    public async Task Consume_PipedKilledWithSigkill_KeepsCommittedProgress()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "crashy", "--partitions", "1")).ExitCode);
        var lines = string.Concat(Enumerable.Range(0, 50).Select(i => $"{i}\n"));
        Assert.Equal(0, (await Orka(lines, "produce", "crashy")).ExitCode);

        using (var consume = RunningOrka.Start(silo.Gateway, "consume", "crashy", "--group", "fragile", "--from-beginning"))
        {
            await consume.UntilAsync(c => c.Lines.Length == 50, "the 50 records through the pipe");
            await UntilCommittedAsync("fragile", 50, consume);
            await consume.SignalAsync("KILL");
            Assert.Equal(137, await consume.ExitAsync());
        }

        Assert.Equal(50, GroupCliTests.PartitionRows(await Orka(null, "groups", "describe", "fragile")).Values.Sum(r => r.Committed));
        Assert.Equal(0, (await Orka("50\n", "produce", "crashy")).ExitCode);
        // The killed member holds the partition until its session times out (10 s); then the next run gets it.
        var next = await Orka(null, "consume", "crashy", "--group", "fragile", "--max-messages", "1", "--timeout-ms", "60000");
        Assert.True(next.ExitCode == 0, next.Stderr);
        Assert.Equal(["50"], next.Lines);
    }

    // Intent: SIGTERM stops a produce reading a terminal: what it read is delivered and counted, exit 143.
    [Fact]
    public async Task Produce_InTerminal_SigtermFlushesReportsAndExits143()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "typed", "--partitions", "1")).ExitCode);
        using var produce = RunningOrka.StartInTerminal(silo.Gateway, _directory, "produce", "typed");
        await produce.Stdin.WriteAsync("one\ntwo\n");
        await produce.Stdin.FlushAsync();
        await produce.UntilAsync(async () => await LogEnd("typed") == 2, "the two typed lines in the topic");

        await produce.SignalAsync("TERM");
        Assert.Equal(143, await produce.ExitAsync());
        Assert.Contains("Produced 2 records to typed; interrupted after line 2.", produce.Stdout, StringComparison.Ordinal);
    }

    // Intent: Ctrl+C stops a running perf load and the command exits 130 instead of running to the end.
    [Fact]
    public async Task Perf_Sigint_StopsPromptlyWithExit130()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "load", "--partitions", "1")).ExitCode);
        using var perf = RunningOrka.Start(silo.Gateway, "perf", "produce", "--topic", "load", "--num-records", "100000000", "--throughput", "2000", "--reporting-interval", "500");
        await perf.UntilAsync(p => p.Lines.Any(l => l.Contains("records sent", StringComparison.Ordinal)), "a perf progress line");
        await perf.SignalAsync("INT");
        Assert.Equal(130, await perf.ExitAsync());
    }

    /// <summary>The records on the terminal (its first line starts with the terminal set-up .NET writes).</summary>
    private static List<string> Records(RunningOrka consume) =>
        [.. consume.Lines.Select(l => Regex.Match(l, @"r\d+$")).Where(m => m.Success).Select(m => m.Value)];

    private async Task<long> LogEnd(string topic) =>
        (await Orka(null, "topics", "offsets", topic)).Lines.Sum(l => long.Parse(l.Split(':')[2], CultureInfo.InvariantCulture));

    private async Task UntilCommittedAsync(string group, long committed, RunningOrka running)
    {
        await running.UntilAsync(
            async () => GroupCliTests.PartitionRows(await Orka(null, "groups", "describe", group)).Values.Sum(r => Math.Max(0, r.Committed)) == committed,
            $"group {group} to have committed {committed} while the consumer runs");
        Assert.False(running.HasExited, "the consumer exited before its commit was seen");
    }
}
