using System.Globalization;
using Orka.Grains;

namespace Orka.Cli.Tests;

/// <summary><c>orka groups …</c> run as real processes against a real node.</summary>
public sealed class GroupCliTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private Task<OrkaCli.Result> Orka(string? stdin, params string[] args) => OrkaCli.RunAsync(silo.Gateway, stdin, args);

    // Intent: a group that consumed shows in list and describe with lag; reset-offsets moves it; delete removes it.
    [Fact]
    public async Task Groups_ListDescribeResetDelete_ReflectCommittedOffsetsAndLag()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "orders", "--partitions", "2")).ExitCode);
        Assert.Equal(0, (await Orka("a\nb\nc\nd\ne\nf\n", "produce", "orders")).ExitCode);
        var consumed = await Orka(null, "consume", "orders", "--group", "billing", "--from-beginning", "--max-messages", "6", "--timeout-ms", "20000");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);

        var list = await Orka(null, "groups", "list");
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains("billing\tEmpty\t-", list.Lines);

        Assert.Equal(0, (await Orka("g\nh\n", "produce", "orders")).ExitCode);
        var described = await Orka(null, "groups", "describe", "billing");
        Assert.True(described.ExitCode == 0, described.Stderr);
        Assert.StartsWith("Group: billing\tState: Empty", described.Lines[0], StringComparison.Ordinal);
        var rows = PartitionRows(described);
        Assert.Equal(["orders/0", "orders/1"], rows.Keys.Order());
        Assert.All(rows.Values, r => Assert.Equal(r.LogEnd - r.Committed, r.Lag));
        Assert.Equal(8, rows.Values.Sum(r => r.LogEnd));
        Assert.Equal(2, rows.Values.Sum(r => r.Lag));

        var earliest = await Orka(null, "groups", "reset-offsets", "billing", "--topic", "orders", "--to-earliest");
        Assert.True(earliest.ExitCode == 0, earliest.Stderr);
        Assert.Equal(["orders/0\t0", "orders/1\t0"], earliest.Lines);
        Assert.Equal(8, PartitionRows(await Orka(null, "groups", "describe", "billing")).Values.Sum(r => r.Lag));

        var (busiest, _) = rows.MaxBy(r => r.Value.LogEnd);
        var number = busiest.Split('/')[1];
        var one = await Orka(null, "groups", "reset-offsets", "billing", "--topic", "orders", "--partitions", number, "--to-offset", "1");
        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.Equal([$"{busiest}\t1"], one.Lines);
        Assert.Equal(rows[busiest].LogEnd - 1, PartitionRows(await Orka(null, "groups", "describe", "billing"))[busiest].Lag);
        var future = await Orka(null, "groups", "reset-offsets", "billing", "--topic", "orders", "--to-datetime", "2100-01-01T00:00:00Z");
        Assert.True(future.ExitCode == 0, future.Stderr);
        Assert.Equal(0, PartitionRows(await Orka(null, "groups", "describe", "billing")).Values.Sum(r => r.Lag));

        var again = await Orka(null, "groups", "reset-offsets", "billing", "--topic", "orders", "--to-earliest");
        Assert.Equal(0, again.ExitCode);
        var resumed = await Orka(null, "consume", "orders", "--group", "billing", "--max-messages", "8", "--timeout-ms", "20000");
        Assert.Equal(["a", "b", "c", "d", "e", "f", "g", "h"], resumed.Lines.Order());

        var deleted = await Orka(null, "groups", "delete", "billing");
        Assert.True(deleted.ExitCode == 0, deleted.Stderr);
        Assert.DoesNotContain((await Orka(null, "groups", "list")).Lines, l => l.StartsWith("billing\t", StringComparison.Ordinal));
        var gone = await Orka(null, "groups", "describe", "billing");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("(GroupIdNotFound)", gone.Stderr, StringComparison.Ordinal);
    }

    // Intent: a running `orka consume --group` is a member: describe shows it with its partitions, and the
    // group's offsets cannot be reset until it has gone.
    [Fact]
    public async Task Groups_WhileConsumeRuns_DescribeShowsMemberAndResetIsRefused()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "live", "--partitions", "2")).ExitCode);
        var consuming = Orka(null, "consume", "live", "--group", "watchers", "--from-beginning", "--max-messages", "1", "--timeout-ms", "60000");

        var member = "";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (member.Length == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the consume command never showed up as a member");
            var described = await Orka(null, "groups", "describe", "watchers");
            // The member shows from its join; its assignment once the generation is formed.
            member = described.Lines.FirstOrDefault(l => l.TrimStart().StartsWith("Member: orka-cli-", StringComparison.Ordinal) &&
                !l.EndsWith("Assignment: -", StringComparison.Ordinal)) ?? "";
            if (member.Length == 0 && consuming.IsCompleted)
            {
                Assert.Fail($"consume exited early: {(await consuming).Stderr}");
            }
        }

        Assert.Contains("Assignment: live:0,1", member, StringComparison.Ordinal);
        var reset = await Orka(null, "groups", "reset-offsets", "watchers", "--topic", "live", "--to-earliest");
        Assert.Equal(1, reset.ExitCode);
        Assert.Contains("(NonEmptyGroup)", reset.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await Orka("hello\n", "produce", "live")).ExitCode);
        var consumed = await consuming;
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        Assert.Equal(["hello"], consumed.Lines);
        var after = await Orka(null, "groups", "describe", "watchers");
        Assert.StartsWith("Group: watchers\tState: Empty", after.Lines[0], StringComparison.Ordinal);
        Assert.Equal(1, PartitionRows(after).Values.Sum(r => r.Committed));
    }

    // Intent: bad group commands exit non-zero with one error line and leave the group's offsets as they were.
    [Fact]
    public async Task Groups_BadInput_ExitsNonZeroAndChangesNothing()
    {
        Assert.Equal(0, (await Orka(null, "topics", "create", "ledger", "--partitions", "1")).ExitCode);
        Assert.Equal(0, (await Orka("a\nb\nc\n", "produce", "ledger")).ExitCode);
        Assert.Equal(0, (await Orka(null, "groups", "reset-offsets", "audit", "--topic", "ledger", "--to-offset", "2")).ExitCode);

        var cases = new (string[] Args, int Exit, string Says)[]
        {
            (["groups", "describe", "bad\u0001group"], 1, "(InvalidGroupId)"),
            (["groups", "delete", ""], 1, "(InvalidGroupId)"),
            (["groups", "describe", "nobody"], 1, "(GroupIdNotFound)"),
            (["groups", "delete", "nobody"], 1, "(GroupIdNotFound)"),
            (["groups", "reset-offsets", "audit", "--topic", "ledger", "--to-offset", "9"], 1, "(OffsetOutOfRange)"),
            (["groups", "reset-offsets", "audit", "--topic", "missing", "--to-earliest"], 1, "(UnknownTopicOrPartition)"),
            (["groups", "reset-offsets", "audit", "--topic", "ledger", "--partitions", "3", "--to-earliest"], 1, "(UnknownTopicOrPartition)"),
            (["groups", "reset-offsets", "audit", "--topic", "ledger"], 2, "exactly one of"),
            (["groups", "reset-offsets", "audit", "--topic", "ledger", "--to-earliest", "--to-latest"], 2, "exactly one of"),
            (["groups", "reset-offsets", "audit", "--topic", "ledger", "--to-datetime", "yesterday"], 2, "--to-datetime"),
        };
        foreach (var (args, exit, says) in cases)
        {
            var result = await Orka(null, args);
            Assert.True(exit == result.ExitCode, $"orka {string.Join(' ', args)}: exit {result.ExitCode}, {result.Stderr}");
            Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(says, result.Stderr, StringComparison.Ordinal);
            Assert.Equal(2, await CommittedAsync("audit"));
        }

        // A member in the group: the reset is refused with a hint, and nothing moves.
        var group = silo.Grains.GetGrain<IConsumerGroupGrain>("audit");
        JoinGroupRequest Join(string id) => new(id, "cli-test", "consumer", [new GroupProtocol("range", Array.Empty<byte>())], TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        var memberId = (await group.JoinAsync(Join(""))).MemberId;
        var joined = await group.JoinAsync(Join(memberId)).WaitAsync(TimeSpan.FromSeconds(15));
        await group.SyncAsync(new SyncGroupRequest(joined.GenerationId, memberId, [])).WaitAsync(TimeSpan.FromSeconds(15));

        var busy = await Orka(null, "groups", "reset-offsets", "audit", "--topic", "ledger", "--to-earliest");
        Assert.Equal(1, busy.ExitCode);
        Assert.Contains("Stop its consumers", busy.Stderr, StringComparison.Ordinal);
        Assert.Contains("(NonEmptyGroup)", busy.Stderr, StringComparison.Ordinal);
        var deleteBusy = await Orka(null, "groups", "delete", "audit");
        Assert.Contains("(NonEmptyGroup)", deleteBusy.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, await CommittedAsync("audit"));
        Assert.Contains("audit\tStable\tconsumer", (await Orka(null, "groups", "list")).Lines);
        await group.LeaveAsync(memberId);
    }

    private async Task<long> CommittedAsync(string groupId) =>
        (await silo.Grains.GetGrain<IConsumerGroupGrain>(groupId).GetCommittedAsync()).Single().Offset;

    internal static Dictionary<string, (long Committed, long LogEnd, long Lag)> PartitionRows(OrkaCli.Result described) =>
        described.Lines
            .Where(l => l.TrimStart().StartsWith("Partition:", StringComparison.Ordinal))
            .Select(l => l.Trim().Split('\t').Select(f => f.Split(": ", 2)).ToDictionary(f => f[0], f => f[1]))
            .ToDictionary(f => f["Partition"], f => (Number(f["Committed"]), Number(f["LogEnd"]), Number(f["Lag"])));

    private static long Number(string text) => text == "-" ? -1 : long.Parse(text, CultureInfo.InvariantCulture);
}
