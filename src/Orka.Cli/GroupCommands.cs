using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using Orka.Cli.Output;
using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// <c>orka groups list | describe | reset-offsets | delete</c>: Kafka's <c>kafka-consumer-groups</c>
/// for an Orka cluster. Offsets can only be reset or deleted while a group has no members.
/// </summary>
internal static class GroupCommands
{
    public static Command Build()
    {
        var groups = new Command("groups", "List, describe, reset the offsets of and delete consumer groups");
        groups.Subcommands.Add(List());
        groups.Subcommands.Add(Describe());
        groups.Subcommands.Add(ResetOffsets());
        groups.Subcommands.Add(Delete());
        return groups;
    }

    private static Command List()
    {
        var output = CliOutput.CreateOption();
        var list = new Command("list", "List consumer groups: group<TAB>state<TAB>protocol type, one per line") { output };
        list.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var groups = await new OrkaAdmin(client).ListGroupsAsync();
            var view = groups.Select(g => new GroupListView(g.GroupId, g.State, g.ProtocolType)).ToList();
            CliOutput.Write(parse, output, view, () =>
            {
                foreach (var group in groups)
                {
                    Console.WriteLine($"{group.GroupId}\t{group.State}\t{Dash(group.ProtocolType)}");
                }
            });
        }));
        return list;
    }

    private static Command Describe()
    {
        var name = new Argument<string>("group") { Description = "Group id" };
        var output = CliOutput.CreateOption();
        var describe = new Command("describe", "Show a group's state, members and their assignments, and per partition the committed offset, log end and lag") { name, output };
        describe.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var admin = new OrkaAdmin(client);
            var groupId = parse.GetValue(name)!;
            var d = await admin.DescribeGroupAsync(groupId);
            var lags = await admin.GetGroupLagAsync(groupId);
            var view = new GroupDescriptionView(
                d.GroupId,
                d.State,
                d.ProtocolType,
                d.ProtocolName,
                d.GenerationId,
                d.LeaderId,
                [.. d.Members.Select(m => new GroupMemberView(
                    m.MemberId,
                    m.ClientId,
                    ConsumerProtocolCodec.TryDecodeAssignment(m.Assignment.Span, out var assigned)
                        ? [.. assigned.GroupBy(p => p.Topic).Select(g => new TopicPartitionsView(g.Key, [.. g.Select(p => p.Partition)]))]
                        : null))],
                [.. lags.Select(l => new GroupPartitionView(
                    l.Partition.Topic, l.Partition.Partition, OrNull(l.CommittedOffset), OrNull(l.LogEndOffset), OrNull(l.Lag), l.MemberId))]);
            CliOutput.Write(parse, output, view, () =>
            {
                Console.WriteLine($"Group: {d.GroupId}\tState: {d.State}\tProtocolType: {Dash(d.ProtocolType)}\tProtocol: {Dash(d.ProtocolName)}\tGeneration: {d.GenerationId}\tLeader: {Dash(d.LeaderId)}\tMembers: {d.Members.Length}");
                foreach (var member in d.Members)
                {
                    var assignment = ConsumerProtocolCodec.TryDecodeAssignment(member.Assignment.Span, out var partitions)
                        ? Format(partitions)
                        : $"({member.Assignment.Length} bytes, not a consumer-protocol assignment)";
                    Console.WriteLine($"\tMember: {member.MemberId}\tClient: {Dash(member.ClientId)}\tAssignment: {assignment}");
                }

                foreach (var lag in lags)
                {
                    Console.WriteLine($"\tPartition: {lag.Partition}\tCommitted: {Number(lag.CommittedOffset)}\tLogEnd: {Number(lag.LogEndOffset)}\tLag: {Number(lag.Lag)}\tMember: {Dash(lag.MemberId ?? "")}");
                }
            });
        }));
        return describe;
    }

    private static Command ResetOffsets()
    {
        var name = new Argument<string>("group") { Description = "Group id" };
        var topic = new Option<string>("--topic", "-t") { Description = "Topic whose offsets to reset", Required = true };
        var partitions = new Option<string?>("--partitions") { Description = "Comma-separated partitions (default: all)" };
        var toEarliest = new Option<bool>("--to-earliest") { Description = "The log start of each partition" };
        var toLatest = new Option<bool>("--to-latest") { Description = "The log end of each partition" };
        var toDatetime = new Option<string?>("--to-datetime") { Description = "The first offset at or after a time: ISO 8601 (UTC unless an offset is given) or ms since the epoch" };
        var toOffset = new Option<long?>("--to-offset") { Description = "This offset, which must lie within each partition's log" };
        var reset = new Command("reset-offsets", "Move a group's committed offsets in one topic (the group must have no active members); prints topic/partition<TAB>offset")
        {
            name, topic, partitions, toEarliest, toLatest, toDatetime, toOffset,
        };
        reset.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var targets = new List<(OffsetResetKind Kind, long Value)>();
            if (parse.GetValue(toEarliest))
            {
                targets.Add((OffsetResetKind.Earliest, 0));
            }

            if (parse.GetValue(toLatest))
            {
                targets.Add((OffsetResetKind.Latest, 0));
            }

            if (parse.GetValue(toDatetime) is { } datetime)
            {
                targets.Add((OffsetResetKind.Timestamp, ParseTimestamp(datetime)));
            }

            if (parse.GetValue(toOffset) is { } offset)
            {
                targets.Add((OffsetResetKind.Offset, offset));
            }

            if (targets.Count != 1)
            {
                throw new ArgumentException("Give exactly one of --to-earliest, --to-latest, --to-datetime and --to-offset.");
            }

            var request = new OffsetResetRequest(parse.GetValue(topic)!, ParsePartitions(parse.GetValue(partitions)), targets[0].Kind, targets[0].Value);
            foreach (var committed in await new OrkaAdmin(client).ResetGroupOffsetsAsync(parse.GetValue(name)!, request))
            {
                Console.WriteLine($"{committed.Partition}\t{committed.Offset}");
            }
        }));
        return reset;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("group") { Description = "Group id" };
        var delete = new Command("delete", "Delete a group's committed offsets (the group must have no active members)") { name };
        delete.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var groupId = parse.GetValue(name)!;
            await new OrkaAdmin(client).DeleteGroupAsync(groupId);
            Console.WriteLine($"Deleted group {groupId}.");
        }));
        return delete;
    }

    private static ImmutableArray<int> ParsePartitions(string? text)
    {
        if (text is null)
        {
            return [];
        }

        var partitions = ImmutableArray.CreateBuilder<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                throw new ArgumentException($"--partitions '{text}' is not a comma-separated list of partition numbers.");
            }

            partitions.Add(p);
        }

        return partitions.ToImmutable();
    }

    private static long ParseTimestamp(string text)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return ms;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        throw new ArgumentException($"--to-datetime '{text}' is neither an ISO 8601 time (e.g. 2026-11-25T08:00:00Z) nor milliseconds since the epoch.");
    }

    private static string Format(ImmutableArray<TopicPartition> partitions) =>
        partitions.IsEmpty
            ? "-"
            : string.Join(";", partitions.GroupBy(p => p.Topic).Select(g => $"{g.Key}:{string.Join(",", g.Select(p => p.Partition))}"));

    private static string Dash(string text) => text.Length == 0 ? "-" : text;

    private static long? OrNull(long value) => value < 0 ? null : value;

    private static string Number(long value) => value < 0 ? "-" : value.ToString(CultureInfo.InvariantCulture);
}
