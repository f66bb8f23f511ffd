using System.CommandLine;
using System.Globalization;
using Orka.Client;
using Orka.Grains;

namespace Orka.Cli;

/// <summary>
/// <c>orka partitions verify | repair</c>: checks every stored batch of a topic's partitions
/// (header and CRC-32C) and repairs a corrupt range explicitly. Nothing is ever repaired
/// automatically: a repair drops data, so an operator decides which.
/// </summary>
internal static class PartitionCommands
{
    public static Command Build()
    {
        var partitions = new Command("partitions", "Verify the stored batches of partitions and repair corrupt ranges");
        partitions.Subcommands.Add(Verify());
        partitions.Subcommands.Add(Repair());
        return partitions;
    }

    private static Command Verify()
    {
        var target = new Argument<string>("topic[:partition]") { Description = "A topic (every partition) or one partition, as topic:partition" };
        var verify = new Command("verify",
            "Walk every batch of every segment checking its header and CRC-32C; print one OK line per intact partition and one CORRUPT line per bad range "
            + "(offsets, segment file, byte positions, problem). Exit code 1 when something is corrupt")
        {
            target,
        };
        verify.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var (topic, partition) = ParseTarget(parse.GetValue(target)!, requirePartition: false);
            var metadata = await new OrkaAdmin(client).GetTopicAsync(topic);
            if (partition >= metadata.PartitionCount)
            {
                throw new OrkaException(OrkaErrorCode.UnknownTopicOrPartition, $"Topic '{topic}' has no partition {partition}.");
            }

            var corrupt = 0;
            var unavailable = 0;
            var wanted = partition is { } one ? [one] : Enumerable.Range(0, metadata.PartitionCount);
            foreach (var p in wanted)
            {
                PartitionVerification result;
                try
                {
                    result = await client.GetPartitionGrain(topic, p).VerifyAsync();
                }
                catch (OrkaException e) when (e.Code == OrkaErrorCode.LeaderNotAvailable)
                {
                    // A node that is down fails its own partitions only: the others are still verified.
                    unavailable++;
                    Console.WriteLine($"{topic}-{p}	UNAVAILABLE	{e.Message}");
                    continue;
                }

                if (result.CorruptRanges.IsEmpty)
                {
                    Console.WriteLine($"{topic}-{p}\tOK\tnode: {result.NodeId}\tsegments: {result.Segments}\tbatches: {result.Batches}\tbytes: {result.Bytes}");
                    continue;
                }

                foreach (var range in result.CorruptRanges)
                {
                    corrupt++;
                    Console.WriteLine($"{topic}-{p}\tCORRUPT\toffsets: {range.FirstOffset}..{range.LastOffset}\tnode: {result.NodeId}\tsegment: {range.SegmentFile}\tposition: {range.Position}..{range.EndPosition}\tproblem: {range.Problem}");
                }
            }

            if (corrupt > 0)
            {
                throw new CliException($"{corrupt} corrupt range(s) found; repair one with 'orka partitions repair {topic}:PARTITION --skip FROM-TO'"
                    + (unavailable > 0 ? $"; {unavailable} partition(s) not verified (node down)" : ""));
            }

            if (unavailable > 0)
            {
                throw new CliException($"{unavailable} partition(s) not verified: their node is down");
            }
        }));
        return verify;
    }

    private static Command Repair()
    {
        var target = new Argument<string>("topic:partition") { Description = "The partition to repair" };
        var skip = new Option<string>("--skip")
        {
            Description = "FROM-TO: remove these offsets (whole batches, every corrupt range there included) from closed segments; "
                + "later offsets are kept, the skipped ones become a gap that consumers step over",
            Required = true,
        };
        var repair = new Command("repair", "Explicitly repair a corrupt range of one partition; prints what was removed") { target, skip };
        repair.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var (topic, partition) = ParseTarget(parse.GetValue(target)!, requirePartition: true);
            var (from, to) = ParseRange(parse.GetValue(skip)!);
            await new OrkaAdmin(client).GetTopicAsync(topic);
            var result = await client.GetPartitionGrain(topic, partition!.Value).SkipCorruptAsync(from, to);
            Console.WriteLine($"{topic}-{result.Partition}\tskipped: {result.FromOffset}..{result.ToOffset}\tsegments rewritten: {result.SegmentsRewritten}\tbatches dropped: {result.BatchesDropped}\tbytes dropped: {result.BytesDropped}");
        }));
        return repair;
    }

    /// <summary>Parses <c>topic</c> or <c>topic:partition</c> (topic names cannot hold ':').</summary>
    internal static (string Topic, int? Partition) ParseTarget(string text, bool requirePartition)
    {
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return requirePartition
                ? throw new ArgumentException($"Expected topic:partition; got '{text}'.")
                : (text, null);
        }

        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
        {
            throw new ArgumentException($"The partition after ':' must be a number; got '{text}'.");
        }

        return (text[..colon], partition);
    }

    /// <summary>Parses <c>FROM-TO</c> (inclusive, FROM at most TO).</summary>
    internal static (long From, long To) ParseRange(string text)
    {
        var parts = text.Split('-');
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            || from > to)
        {
            throw new ArgumentException($"--skip takes FROM-TO, two offsets with FROM <= TO; got '{text}'.");
        }

        return (from, to);
    }
}
