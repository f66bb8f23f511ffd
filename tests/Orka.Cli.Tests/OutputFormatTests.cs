using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Orka.Cli.Tests;

/// <summary><c>--output json|yaml|table</c> on the list and describe commands, against a real node.</summary>
[Collection(SerialCollection.Name)]
public sealed class OutputFormatTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private Task<OrkaCli.Result> Orka(params string[] args) => OrkaCli.RunAsync(silo.Gateway, null, args);

    /// <summary>
    /// Waits until orka connects to the fixture's node: on a loaded machine the first client of a
    /// freshly started silo can take longer than orka's 10 s connect timeout.
    /// </summary>
    private async Task AwaitReachableAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        OrkaCli.Result nodes;
        while ((nodes = await Orka("nodes")).ExitCode != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"orka could not reach the node within 120 s: {nodes.Stderr}");
            await Task.Delay(TimeSpan.FromSeconds(1)); // poll interval
        }
    }

    private async Task CreateAsync(params string[] args)
    {
        await AwaitReachableAsync();
        var created = await Orka(["topics", "create", .. args]);
        Assert.True(created.ExitCode == 0, $"topics create {string.Join(' ', args)}: {created.Stderr}");
    }

    private async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await Orka([.. args, "--output", "json"]);
        Assert.True(result.ExitCode == 0, $"orka {string.Join(' ', args)} -o json: {result.Stderr}");
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    // Intent: describe -o json has the topic, its partitions, and every catalog key with value, default and Kafka's source name.
    [Fact]
    public async Task TopicsDescribe_Json_EveryConfigWithValueDefaultAndSource()
    {
        await CreateAsync("json-described", "--partitions", "2", "--config", "retention.ms=60000");

        var topic = await JsonAsync("topics", "describe", "json-described");

        Assert.Equal("json-described", topic.GetProperty("name").GetString());
        Assert.Equal(2, topic.GetProperty("partitionCount").GetInt32());
        Assert.Equal([0, 1], topic.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("partition").GetInt32()));
        Assert.All(topic.GetProperty("partitions").EnumerateArray(), p =>
        {
            Assert.True(p.GetProperty("online").GetBoolean());
            Assert.Equal(0, p.GetProperty("logEndOffset").GetInt64());
        });
        var configs = topic.GetProperty("configs").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(TopicConfigCatalog.Definitions.Select(d => d.Name).Order(StringComparer.Ordinal), configs.Keys.Order(StringComparer.Ordinal));
        var retention = configs["retention.ms"];
        Assert.Equal(("60000", "604800000", "DYNAMIC_TOPIC_CONFIG"), (retention.GetProperty("value").GetString(), retention.GetProperty("default").GetString(), retention.GetProperty("source").GetString()));
        var segment = configs["segment.bytes"];
        Assert.Equal(("1073741824", "1073741824", "DEFAULT_CONFIG"), (segment.GetProperty("value").GetString(), segment.GetProperty("default").GetString(), segment.GetProperty("source").GetString()));
        Assert.False(string.IsNullOrEmpty(segment.GetProperty("documentation").GetString()));
    }

    // Intent: the human format of describe keeps its partition lines and adds a CONFIG/VALUE/DEFAULT/SOURCE row for every key.
    [Fact]
    public async Task TopicsDescribe_Table_ConfigRowsWithDefaultAndSource()
    {
        await CreateAsync("table-described", "--config", "cleanup.policy=compact");

        var described = await Orka("topics", "describe", "table-described");

        Assert.True(described.ExitCode == 0, described.Stderr);
        Assert.Single(described.Lines, l => l.TrimStart().StartsWith("Partition: 0", StringComparison.Ordinal));
        var header = Array.FindIndex(described.Lines, l => l.StartsWith("CONFIG", StringComparison.Ordinal));
        Assert.True(header > 0, described.Stdout);
        var rows = described.Lines[(header + 1)..].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToDictionary(r => r[0]);
        Assert.Equal(TopicConfigCatalog.Definitions.Length, rows.Count);
        Assert.Equal(["cleanup.policy", "compact", "delete", "DYNAMIC_TOPIC_CONFIG"], rows["cleanup.policy"]);
        Assert.Equal(["retention.ms", "604800000", "604800000", "DEFAULT_CONFIG"], rows["retention.ms"]);
    }

    // Intent: YAML output carries the same data as JSON: parsed by a real YAML parser, it equals the parsed JSON.
    [Fact]
    public async Task TopicsDescribe_Yaml_ParsesToTheSameDataAsJson()
    {
        await CreateAsync("yaml-described", "--partitions", "3", "--config", "cleanup.policy=compact,delete");
        var json = await JsonAsync("topics", "describe", "yaml-described");

        var yaml = await Orka("topics", "describe", "yaml-described", "-o", "yaml");

        Assert.True(yaml.ExitCode == 0, yaml.Stderr);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml.Stdout));
        AssertSame(json, stream.Documents.Single().RootNode);
    }

    // Intent: topics list, groups list, nodes and cluster info answer parseable JSON with their documented fields.
    [Fact]
    public async Task ListCommands_Json_DocumentedFields()
    {
        await CreateAsync("json-listed", "--partitions", "4");
        Assert.Equal(0, (await OrkaCli.RunAsync(silo.Gateway, "a\nb\n", "produce", "json-listed")).ExitCode);
        Assert.Equal(0, (await Orka("consume", "json-listed", "--group", "json-group", "--from-beginning", "--max-messages", "2", "--timeout-ms", "20000")).ExitCode);

        var topics = await JsonAsync("topics", "list");
        var listed = Assert.Single(topics.EnumerateArray(), t => t.GetProperty("name").GetString() == "json-listed");
        Assert.Equal(4, listed.GetProperty("partitionCount").GetInt32());

        var groups = await JsonAsync("groups", "list");
        var group = Assert.Single(groups.EnumerateArray(), g => g.GetProperty("groupId").GetString() == "json-group");
        Assert.Equal("Empty", group.GetProperty("state").GetString());

        var described = await JsonAsync("groups", "describe", "json-group");
        var partitions = described.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal(4, partitions.Count);
        Assert.Equal(2, partitions.Sum(p => p.GetProperty("committedOffset").ValueKind == JsonValueKind.Number ? p.GetProperty("committedOffset").GetInt64() : 0));
        Assert.All(partitions, p => Assert.Equal(0, p.GetProperty("lag").GetInt64()));

        var node = Assert.Single((await JsonAsync("nodes")).EnumerateArray());
        Assert.Equal((0, "Active"), (node.GetProperty("nodeId").GetInt32(), node.GetProperty("status").GetString()));
        Assert.False(string.IsNullOrEmpty(node.GetProperty("silo").GetString()));

        var info = await JsonAsync("cluster", "info");
        var infoNode = Assert.Single(info.GetProperty("nodes").EnumerateArray());
        Assert.True(infoNode.GetProperty("up").GetBoolean());
        Assert.Equal(info.GetProperty("partitionCount").GetInt32(), infoNode.GetProperty("partitions").GetInt32());
        Assert.Equal(info.GetProperty("topicCount").GetInt32(), infoNode.GetProperty("topics").GetInt32());
        Assert.True(info.GetProperty("partitionCount").GetInt32() >= 4);
    }

    // Intent: an output format that is not table, json or yaml is a usage error (exit 2) naming the option.
    [Fact]
    public async Task Output_UnknownFormat_UsageError()
    {
        var result = await Orka("nodes", "--output", "xml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("xml", result.Stderr, StringComparison.Ordinal);
    }

    private static void AssertSame(JsonElement json, YamlNode yaml)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                var mapping = Assert.IsType<YamlMappingNode>(yaml);
                Assert.Equal(json.EnumerateObject().Select(p => p.Name), mapping.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
                foreach (var property in json.EnumerateObject())
                {
                    AssertSame(property.Value, mapping.Children[new YamlScalarNode(property.Name)]);
                }

                break;
            case JsonValueKind.Array:
                var sequence = Assert.IsType<YamlSequenceNode>(yaml);
                Assert.Equal(json.GetArrayLength(), sequence.Children.Count);
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    AssertSame(json[i], sequence.Children[i]);
                }

                break;
            case JsonValueKind.String:
                Assert.Equal(json.GetString(), Assert.IsType<YamlScalarNode>(yaml).Value);
                break;
            default:
                Assert.Equal(json.GetRawText(), Assert.IsType<YamlScalarNode>(yaml).Value);
                break;
        }
    }
}
