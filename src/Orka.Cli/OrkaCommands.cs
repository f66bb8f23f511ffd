using System.CommandLine;
using System.Text;
using Orka.Cli.Perf;
using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// The command tree of <c>orka</c>. Exit codes: 0 success, 1 a failure reported by the cluster or the
/// connection (one line on stderr), 2 bad usage.
/// </summary>
internal static class OrkaCommands
{
    private static readonly Option<string> Gateway = new("--gateway", "-g")
    {
        Description = $"Silo gateway endpoints, host:port[,host:port…] (default: ${OrkaEndpoints.GatewaysVariable} or {OrkaEndpoints.DefaultGateways})",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("orka: manage topics and consumer groups, produce/consume records on an Orka cluster");
        root.Options.Add(Gateway);
        root.Subcommands.Add(TopicsCommand());
        root.Subcommands.Add(ProduceCommand.Build());
        root.Subcommands.Add(ConsumeCommand.Build());
        root.Subcommands.Add(GroupCommands.Build());
        root.Subcommands.Add(PartitionCommands.Build());
        root.Subcommands.Add(NodesCommand());
        root.Subcommands.Add(PerfCommands.Build());
        return root;
    }

    private static Command TopicsCommand()
    {
        var topics = new Command("topics", "Create, list, describe and delete topics");

        var name = new Argument<string>("name") { Description = "Topic name" };
        var partitions = new Option<int>("--partitions", "-p") { Description = "Number of partitions", DefaultValueFactory = _ => 1 };
        var config = new Option<string[]>("--config", "-c") { Description = "Topic config key=value (repeatable), e.g. retention.ms=86400000", AllowMultipleArgumentsPerToken = false };
        var create = new Command("create", "Create a topic") { name, partitions, config };
        create.SetAction((parse, ct) => RunAsync(parse, ct, async (client, _) =>
        {
            var settings = ParseConfig(parse.GetValue(config));
            var metadata = await new OrkaAdmin(client).CreateTopicAsync(parse.GetValue(name)!, parse.GetValue(partitions), settings);
            Console.WriteLine($"Created topic {metadata.Name} with {metadata.PartitionCount} partitions.");
        }));
        topics.Subcommands.Add(create);

        var list = new Command("list", "List topics");
        list.SetAction((parse, ct) => RunAsync(parse, ct, async (client, _) =>
        {
            foreach (var topic in await new OrkaAdmin(client).ListTopicsAsync())
            {
                Console.WriteLine(topic);
            }
        }));
        topics.Subcommands.Add(list);

        var describeName = new Argument<string>("name") { Description = "Topic name" };
        var describe = new Command("describe", "Show a topic's partitions: node, log start and end offsets, size") { describeName };
        describe.SetAction((parse, ct) => RunAsync(parse, ct, async (client, _) =>
        {
            var d = await new OrkaAdmin(client).DescribeTopicAsync(parse.GetValue(describeName)!);
            var config = d.Metadata.Config.Count == 0 ? "(defaults)" : string.Join(",", d.Metadata.Config.Select(c => $"{c.Key}={c.Value}"));
            Console.WriteLine($"Topic: {d.Metadata.Name}\tTopicId: {d.Metadata.TopicId}\tPartitionCount: {d.Metadata.PartitionCount}\tConfigs: {config}");
            foreach (var p in d.Partitions)
            {
                var offsets = p.LogEndOffset < 0 ? "Status: node down" : $"LogStartOffset: {p.LogStartOffset}\tLogEndOffset: {p.LogEndOffset}\tSize: {p.SizeInBytes}";
                Console.WriteLine($"\tPartition: {p.Partition}\tNode: {p.NodeId}\t{offsets}");
            }
        }));
        topics.Subcommands.Add(describe);

        var alterName = new Argument<string>("name") { Description = "Topic name" };
        var alterPartitions = new Option<int?>("--partitions", "-p") { Description = "Grow the topic to this many partitions" };
        var alterConfig = new Option<string[]>("--config", "-c") { Description = "Set a topic config key=value (repeatable)" };
        var removeConfig = new Option<string[]>("--delete-config") { Description = "Remove a topic config key, back to the default (repeatable)" };
        var alter = new Command("alter", "Change a topic's config or grow its partition count") { alterName, alterPartitions, alterConfig, removeConfig };
        alter.SetAction((parse, ct) => RunAsync(parse, ct, async (client, _) =>
        {
            var topic = parse.GetValue(alterName)!;
            var admin = new OrkaAdmin(client);
            var set = ParseConfig(parse.GetValue(alterConfig));
            var remove = parse.GetValue(removeConfig) ?? [];
            if (parse.GetValue(alterPartitions) is null && set.Count == 0 && remove.Length == 0)
            {
                throw new ArgumentException("Nothing to alter: give --partitions, --config or --delete-config.");
            }

            if (set.Count > 0 || remove.Length > 0)
            {
                await admin.AlterTopicConfigAsync(topic, set, remove);
                Console.WriteLine($"Altered config of topic {topic}.");
            }

            if (parse.GetValue(alterPartitions) is { } total)
            {
                var grown = await admin.AddPartitionsAsync(topic, total);
                Console.WriteLine($"Topic {topic} now has {grown.PartitionCount} partitions.");
            }
        }));
        topics.Subcommands.Add(alter);

        var offsetsName = new Argument<string>("name") { Description = "Topic name" };
        var time = new Option<string>("--time") { Description = "earliest, latest, or a timestamp in ms since the epoch", DefaultValueFactory = _ => "latest" };
        var offsets = new Command("offsets", "Each partition's offset at a time: topic:partition:offset lines") { offsetsName, time };
        offsets.SetAction((parse, ct) => RunAsync(parse, ct, async (client, _) =>
        {
            var topic = parse.GetValue(offsetsName)!;
            var spec = parse.GetValue(time) switch
            {
                "latest" => OffsetSpec.Latest,
                "earliest" => OffsetSpec.Earliest,
                var t when long.TryParse(t, out var ms) && ms >= 0 => ms,
                var t => throw new ArgumentException($"--time must be earliest, latest or milliseconds since the epoch; got '{t}'."),
            };
            foreach (var (partition, offset) in await new OrkaAdmin(client).ListOffsetsAsync(topic, spec))
            {
                Console.WriteLine($"{topic}:{partition}:{offset}");
            }
        }));
        topics.Subcommands.Add(offsets);

        var deleteName = new Argument<string>("name") { Description = "Topic name" };
        var delete = new Command("delete", "Delete a topic and its data") { deleteName };
        delete.SetAction((parse, ct) => RunAsync(parse, ct, async (client, _) =>
        {
            var topic = parse.GetValue(deleteName)!;
            await new OrkaAdmin(client).DeleteTopicAsync(topic);
            Console.WriteLine($"Deleted topic {topic}.");
        }));
        topics.Subcommands.Add(delete);
        return topics;
    }

    private static Command NodesCommand()
    {
        var nodes = new Command("nodes", "List the cluster's nodes");
        nodes.SetAction((parse, ct) => RunAsync(parse, ct, async (client, _) =>
        {
            foreach (var node in await new OrkaAdmin(client).ListNodesAsync())
            {
                Console.WriteLine($"Node: {node.NodeId}\tStatus: {node.Status}\tSilo: {node.SiloAddress}");
            }
        }));
        return nodes;
    }

    private static Dictionary<string, string> ParseConfig(string[]? pairs)
    {
        var settings = new Dictionary<string, string>();
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new ArgumentException($"--config '{pair}' is not key=value.");
            }

            settings[pair[..eq]] = pair[(eq + 1)..];
        }

        return settings;
    }

    internal static Acks ParseAcks(string text) => text switch
    {
        "0" => Acks.None,
        "1" => Acks.Leader,
        "all" or "-1" => Acks.All,
        _ => throw new ArgumentException($"--acks must be 0, 1 or all; got '{text}'."),
    };

    /// <summary>Connects, runs <paramref name="action"/> and turns its failures into one stderr line and an exit code.</summary>
    internal static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<IClusterClient, CancellationToken, Task> action) =>
        RunGuardedAsync(cancellationToken, cancel => WithClusterAsync(parse, cancel, action));

    /// <summary>Connects to the cluster named by <c>--gateway</c> (or its defaults) for the length of <paramref name="action"/>.</summary>
    internal static async Task WithClusterAsync(ParseResult parse, CancellationToken cancellationToken, Func<IClusterClient, CancellationToken, Task> action)
    {
        var gateways = parse.GetValue(Gateway)
            ?? Environment.GetEnvironmentVariable(OrkaEndpoints.GatewaysVariable)
            ?? OrkaEndpoints.DefaultGateways;
        await using var connection = await ClusterConnection.OpenAsync(gateways, cancellationToken);
        await action(connection.Client, cancellationToken);
    }

    /// <summary>Runs a command body and turns its failures into orka's exit codes and one stderr line.</summary>
    internal static async Task<int> RunGuardedAsync(CancellationToken cancellationToken, Func<CancellationToken, Task> action)
    {
        try
        {
            await action(cancellationToken);
            return 0;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"orka: {e.Message}");
            return 2;
        }
        catch (OrkaException e)
        {
            await Console.Error.WriteLineAsync($"orka: {e.Message} ({e.Code})");
            return 1;
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"orka: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"orka: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
