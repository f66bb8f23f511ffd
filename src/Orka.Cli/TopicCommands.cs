using System.CommandLine;
using Orka.Cli.Output;
using Orka.Client;

namespace Orka.Cli;

/// <summary><c>orka topics create | list | describe | alter | offsets | delete</c>.</summary>
internal static class TopicCommands
{
    public static Command Build()
    {
        var topics = new Command("topics", "Create, list, describe, alter and delete topics");
        topics.Subcommands.Add(Create());
        topics.Subcommands.Add(List());
        topics.Subcommands.Add(Describe());
        topics.Subcommands.Add(Alter());
        topics.Subcommands.Add(Offsets());
        topics.Subcommands.Add(Delete());
        return topics;
    }

    private static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Topic name" };
        var partitions = new Option<int>("--partitions", "-p") { Description = "Number of partitions", DefaultValueFactory = _ => 1 };
        var config = new Option<string[]>("--config", "-c") { Description = "Topic config key=value (repeatable), e.g. retention.ms=86400000", AllowMultipleArgumentsPerToken = false };
        config.CompletionSources.Add(_ => TopicConfigCatalog.Definitions.Select(d => $"{d.Name}="));
        var create = new Command("create", "Create a topic") { name, partitions, config };
        create.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var settings = ParseConfig(parse.GetValue(config));
            var metadata = await new OrkaAdmin(client).CreateTopicAsync(parse.GetValue(name)!, parse.GetValue(partitions), settings);
            Console.WriteLine($"Created topic {metadata.Name} with {metadata.PartitionCount} partitions.");
        }));
        return create;
    }

    private static Command List()
    {
        var output = CliOutput.CreateOption();
        var list = new Command("list", "List topics: one name per line, or name and partition count with --output json|yaml") { output };
        list.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var admin = new OrkaAdmin(client);
            var names = await admin.ListTopicsAsync();
            if (CliOutput.IsTable(parse, output))
            {
                foreach (var topic in names)
                {
                    Console.WriteLine(topic);
                }

                return;
            }

            var topics = await Task.WhenAll(names.Select(async n => await TryGetTopicAsync(admin, n)));
            var view = topics.OfType<TopicMetadata>().Select(t => new TopicListView(t.Name, t.PartitionCount)).ToList();
            CliOutput.Write(parse, output, view, () => { });
        }));
        return list;
    }

    private static Command Describe()
    {
        var name = new Argument<string>("name") { Description = "Topic name" };
        var output = CliOutput.CreateOption();
        var describe = new Command("describe", "Show a topic's partitions (node, log start and end offsets, size) and every config with its value, default and source") { name, output };
        describe.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var d = await new OrkaAdmin(client).DescribeTopicAsync(parse.GetValue(name)!);
            var configs = TopicConfigCatalog.Describe(d.Metadata.Config);
            var view = new TopicDescriptionView(
                d.Metadata.Name,
                d.Metadata.TopicId,
                d.Metadata.PartitionCount,
                d.Metadata.CreatedAt,
                [.. d.Partitions.Select(p => p.LogEndOffset < 0
                    ? new TopicPartitionView(p.Partition, p.NodeId, false, null, null, null)
                    : new TopicPartitionView(p.Partition, p.NodeId, true, p.LogStartOffset, p.LogEndOffset, p.SizeInBytes))],
                [.. configs.Select(TopicConfigView.Of)]);
            CliOutput.Write(parse, output, view, () =>
            {
                var set = d.Metadata.Config.Count == 0 ? "(defaults)" : string.Join(",", d.Metadata.Config.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
                Console.WriteLine($"Topic: {d.Metadata.Name}\tTopicId: {d.Metadata.TopicId}\tPartitionCount: {d.Metadata.PartitionCount}\tConfigs: {set}");
                foreach (var p in d.Partitions)
                {
                    var offsets = p.LogEndOffset < 0 ? "Status: node down" : $"LogStartOffset: {p.LogStartOffset}\tLogEndOffset: {p.LogEndOffset}\tSize: {p.SizeInBytes}";
                    Console.WriteLine($"\tPartition: {p.Partition}\tNode: {p.NodeId}\t{offsets}");
                }

                var table = new TextTable("CONFIG", "VALUE", "DEFAULT", "SOURCE");
                foreach (var c in view.Configs)
                {
                    table.Add(c.Name, c.Value, c.Default, c.Source);
                }

                Console.Write(table.ToString());
            });
        }));
        return describe;
    }

    private static Command Alter()
    {
        var name = new Argument<string>("name") { Description = "Topic name" };
        var partitions = new Option<int?>("--partitions", "-p") { Description = "Grow the topic to this many partitions" };
        var config = new Option<string[]>("--config", "-c") { Description = "Set a topic config key=value (repeatable)" };
        config.CompletionSources.Add(_ => TopicConfigCatalog.Definitions.Select(d => $"{d.Name}="));
        var removeConfig = new Option<string[]>("--delete-config") { Description = "Remove a topic config key, back to the default (repeatable)" };
        removeConfig.CompletionSources.Add(_ => TopicConfigCatalog.Definitions.Select(d => d.Name));
        var alter = new Command("alter", "Change a topic's config or grow its partition count") { name, partitions, config, removeConfig };
        alter.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var topic = parse.GetValue(name)!;
            var admin = new OrkaAdmin(client);
            var set = ParseConfig(parse.GetValue(config));
            var remove = parse.GetValue(removeConfig) ?? [];
            if (parse.GetValue(partitions) is null && set.Count == 0 && remove.Length == 0)
            {
                throw new ArgumentException("Nothing to alter: give --partitions, --config or --delete-config.");
            }

            if (set.Count > 0 || remove.Length > 0)
            {
                await admin.AlterTopicConfigAsync(topic, set, remove);
                Console.WriteLine($"Altered config of topic {topic}.");
            }

            if (parse.GetValue(partitions) is { } total)
            {
                var grown = await admin.AddPartitionsAsync(topic, total);
                Console.WriteLine($"Topic {topic} now has {grown.PartitionCount} partitions.");
            }
        }));
        return alter;
    }

    private static Command Offsets()
    {
        var name = new Argument<string>("name") { Description = "Topic name" };
        var time = new Option<string>("--time") { Description = "earliest, latest, or a timestamp in ms since the epoch", DefaultValueFactory = _ => "latest" };
        time.CompletionSources.Add("earliest", "latest");
        var offsets = new Command("offsets", "Each partition's offset at a time: topic:partition:offset lines") { name, time };
        offsets.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var topic = parse.GetValue(name)!;
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
        return offsets;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("name") { Description = "Topic name" };
        var delete = new Command("delete", "Delete a topic and its data") { name };
        delete.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var topic = parse.GetValue(name)!;
            await new OrkaAdmin(client).DeleteTopicAsync(topic);
            Console.WriteLine($"Deleted topic {topic}.");
        }));
        return delete;
    }

    /// <summary>The topic's metadata, or null when it was deleted since it was listed.</summary>
    internal static async Task<TopicMetadata?> TryGetTopicAsync(OrkaAdmin admin, string name)
    {
        try
        {
            return await admin.GetTopicAsync(name);
        }
        catch (OrkaException e) when (e.Code == OrkaErrorCode.UnknownTopicOrPartition)
        {
            return null;
        }
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
}
