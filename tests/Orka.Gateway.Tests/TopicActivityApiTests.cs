using System.Net;
using System.Text.Json;

namespace Orka.Gateway.Tests;

/// <summary>The topic's full config listing, its throughput history and the groups reading it, through the API.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TopicActivityApiTests(ClusterFixture cluster)
{
    private readonly HttpClient _http = cluster.CreateHttpClient();

    // Intent: describe lists every known config key with value, default and source; a key set on the topic is DynamicTopicConfig, the rest their defaults.
    [Fact]
    public async Task Topic_Describe_EveryConfigWithDefaultAndSource()
    {
        await _http.CreateTopicAsync("configured", 1, new Dictionary<string, string> { ["retention.ms"] = "3600000" });
        var configs = (await _http.GetJsonAsync("api/topics/configured")).GetProperty("configs").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(TopicConfigCatalog.Definitions.Select(d => d.Name).Order(), configs.Keys.Order());
        var retention = configs["retention.ms"];
        Assert.Equal(("3600000", "604800000", "DynamicTopicConfig"), (retention.GetProperty("value").GetString(), retention.GetProperty("defaultValue").GetString(), retention.GetProperty("source").GetString()));
        var segment = configs["segment.bytes"];
        Assert.Equal(("1073741824", "DefaultConfig"), (segment.GetProperty("value").GetString(), segment.GetProperty("source").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(segment.GetProperty("documentation").GetString()));
    }

    // Intent: only groups with a position in the topic are listed, each with its lag there per partition; throughput and groups of an unknown topic are 404.
    [Fact]
    public async Task Topic_Groups_OnlyReadersWithTheirLag_UnknownTopic404()
    {
        await _http.CreateTopicAsync("read-here", 2);
        await _http.CreateTopicAsync("read-elsewhere", 1);
        await _http.ProduceAsync("read-here", 1, "a", "b", "c", "d");
        await cluster.Client.GetGrain<IConsumerGroupGrain>("here-reader").CommitAsync([new CommittedOffset(new TopicPartition("read-here", 1), 1)]);
        await cluster.Client.GetGrain<IConsumerGroupGrain>("elsewhere-reader").CommitAsync([new CommittedOffset(new TopicPartition("read-elsewhere", 0), 0)]);

        var groups = (await _http.GetJsonAsync("api/topics/read-here/groups")).EnumerateArray().ToList();
        var reader = Assert.Single(groups);
        Assert.Equal("here-reader", reader.GetProperty("groupId").GetString());
        Assert.Equal(3, reader.GetProperty("totalLag").GetInt64());
        var partitions = reader.GetProperty("partitions").EnumerateArray().ToDictionary(p => p.GetProperty("partition").GetInt32(), p => p.GetProperty("lag").GetInt64());
        Assert.Equal(3, partitions[1]);
        Assert.All(reader.GetProperty("partitions").EnumerateArray(), p => Assert.Equal("read-here", p.GetProperty("topic").GetString()));

        await Problem.AssertAsync(await _http.GetAsync("api/topics/no-such-topic/groups"), HttpStatusCode.NotFound, OrkaErrorCode.UnknownTopicOrPartition);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/no-such-topic/throughput"), HttpStatusCode.NotFound, OrkaErrorCode.UnknownTopicOrPartition);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/read-here/throughput?since=-1"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        Assert.Equal(JsonValueKind.Array, (await _http.GetJsonAsync("api/topics/read-here/throughput")).ValueKind);
    }
}
