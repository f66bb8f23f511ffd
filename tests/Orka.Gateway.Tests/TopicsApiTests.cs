using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Orka.Gateway.Tests;

[Collection(ClusterCollection.Name)]
public sealed class TopicsApiTests(ClusterFixture cluster)
{
    private readonly HttpClient _http = cluster.CreateHttpClient();

    // Intent: a topic goes through create, describe, alter config, add partitions and delete over the API, and the cluster agrees at each step.
    [Fact]
    public async Task Topic_CreateDescribeAlterGrowDelete_ClusterReflectsEachStep()
    {
        var created = await _http.PostAsJsonAsync("api/topics", new { name = "lifecycle", partitions = 2, config = new Dictionary<string, string> { ["retention.ms"] = "3600000" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/topics/lifecycle", created.Headers.Location?.OriginalString);
        var body = await created.ReadJsonAsync();
        Assert.Equal(2, body.GetProperty("partitions").GetArrayLength());

        var described = await _http.GetJsonAsync("api/topics/lifecycle");
        Assert.Equal("3600000", described.GetProperty("config").GetProperty("retention.ms").GetString());
        Assert.All(described.GetProperty("partitions").EnumerateArray(), p =>
        {
            Assert.Equal(0, p.GetProperty("node").GetInt32());
            Assert.Equal(0, p.GetProperty("logEndOffset").GetInt64());
        });

        var altered = await _http.PatchAsync("api/topics/lifecycle/config", Api.Json("""{"set":{"segment.bytes":"1048576"},"remove":["retention.ms"]}"""));
        await altered.ReadJsonAsync();
        var metadata = await cluster.Client.GetGrain<ITopicGrain>("lifecycle").GetMetadataAsync();
        Assert.Equal(new Dictionary<string, string> { ["segment.bytes"] = "1048576" }, metadata!.Config);

        await (await _http.PostAsync("api/topics/lifecycle/partitions", Api.Json("""{"count":5}"""))).ReadJsonAsync();
        Assert.Equal(5, (await cluster.Client.GetGrain<ITopicGrain>("lifecycle").GetMetadataAsync())!.PartitionCount);

        var deleted = await _http.DeleteAsync("api/topics/lifecycle");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(await cluster.Client.GetGrain<ITopicGrain>("lifecycle").GetMetadataAsync());
        await Problem.AssertAsync(await _http.GetAsync("api/topics/lifecycle"), HttpStatusCode.NotFound, OrkaErrorCode.UnknownTopicOrPartition);
    }

    // Intent: an invalid topic name is refused with 400 InvalidTopic and no topic appears.
    [Theory]
    [InlineData("bad name")]
    [InlineData("..")]
    [InlineData("")]
    public async Task Topic_CreateWithInvalidName_400AndNothingCreated(string name)
    {
        var before = await cluster.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync();
        var detail = await Problem.AssertAsync(await _http.PostAsJsonAsync("api/topics", new { name, partitions = 1 }), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidTopic);
        Assert.Contains("Topic name", detail);
        Assert.Equal(before.Order(), (await cluster.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync()).Order());
    }

    // Intent: malformed JSON, a wrong field type and an empty body are each a 400 InvalidRequest that says the body is wrong.
    [Theory]
    [InlineData("{\"name\":\"mal\",")]
    [InlineData("{\"name\":\"mal\",\"partitions\":\"three\"}")]
    [InlineData("")]
    [InlineData("null")]
    public async Task Topic_CreateWithMalformedBody_400AndNothingCreated(string body)
    {
        await Problem.AssertAsync(await _http.PostAsync("api/topics", Api.Json(body)), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        Assert.Null(await cluster.Client.GetGrain<ITopicGrain>("mal").GetMetadataAsync());
    }

    // Intent: creating a topic that exists is 409 and leaves the existing topic's partitions and config as they were.
    [Fact]
    public async Task Topic_CreateDuplicate_409AndExistingTopicUnchanged()
    {
        await _http.CreateTopicAsync("dup", 2, new Dictionary<string, string> { ["retention.ms"] = "1000000" });
        await Problem.AssertAsync(
            await _http.PostAsJsonAsync("api/topics", new { name = "dup", partitions = 7, config = new Dictionary<string, string> { ["retention.ms"] = "5" } }),
            HttpStatusCode.Conflict,
            OrkaErrorCode.TopicAlreadyExists);
        var metadata = await cluster.Client.GetGrain<ITopicGrain>("dup").GetMetadataAsync();
        Assert.Equal(2, metadata!.PartitionCount);
        Assert.Equal("1000000", metadata.Config["retention.ms"]);
    }

    // Intent: a bad config value or unknown key is 400 InvalidConfig, and the topic keeps its config (at create nothing is created).
    [Fact]
    public async Task Topic_InvalidConfig_400AndNothingChanged()
    {
        await Problem.AssertAsync(
            await _http.PostAsJsonAsync("api/topics", new { name = "badconfig", partitions = 1, config = new Dictionary<string, string> { ["retention.ms"] = "soon" } }),
            HttpStatusCode.BadRequest,
            OrkaErrorCode.InvalidConfig);
        Assert.Null(await cluster.Client.GetGrain<ITopicGrain>("badconfig").GetMetadataAsync());

        await _http.CreateTopicAsync("goodconfig", 1, new Dictionary<string, string> { ["retention.ms"] = "60000" });
        await Problem.AssertAsync(
            await _http.PatchAsync("api/topics/goodconfig/config", Api.Json("""{"set":{"retention.ms":"60001","no.such.key":"1"}}""")),
            HttpStatusCode.BadRequest,
            OrkaErrorCode.InvalidConfig);
        Assert.Equal(new Dictionary<string, string> { ["retention.ms"] = "60000" }, (await cluster.Client.GetGrain<ITopicGrain>("goodconfig").GetMetadataAsync())!.Config);
    }

    // Intent: a partition count outside 1-10000 at create is 400 InvalidPartitions and no topic appears.
    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(10_001)]
    public async Task Topic_CreateWithBadPartitionCount_400AndNothingCreated(int partitions)
    {
        await Problem.AssertAsync(await _http.PostAsJsonAsync("api/topics", new { name = "badcount", partitions }), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidPartitions);
        Assert.Null(await cluster.Client.GetGrain<ITopicGrain>("badcount").GetMetadataAsync());
    }

    // Intent: shrinking or keeping the partition count is 400 InvalidPartitions and the count stays.
    [Fact]
    public async Task Topic_AddPartitionsNotMore_400AndCountUnchanged()
    {
        await _http.CreateTopicAsync("grow", 3);
        await Problem.AssertAsync(await _http.PostAsync("api/topics/grow/partitions", Api.Json("""{"count":2}""")), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidPartitions);
        Assert.Equal(3, (await cluster.Client.GetGrain<ITopicGrain>("grow").GetMetadataAsync())!.PartitionCount);
    }

    // Intent: every topic endpoint answers 404 UnknownTopicOrPartition for a topic that does not exist, and none creates it.
    [Fact]
    public async Task UnknownTopic_EveryEndpoint_404AndNothingCreated()
    {
        var calls = new Func<Task<HttpResponseMessage>>[]
        {
            () => _http.GetAsync("api/topics/ghost"),
            () => _http.DeleteAsync("api/topics/ghost"),
            () => _http.PatchAsync("api/topics/ghost/config", Api.Json("""{"set":{"retention.ms":"1"}}""")),
            () => _http.PostAsync("api/topics/ghost/partitions", Api.Json("""{"count":3}""")),
            () => _http.PostAsync("api/topics/ghost/records", Api.Json("""{"records":[{"value":"x"}]}""")),
            () => _http.GetAsync("api/topics/ghost/partitions/0/records"),
            () => _http.GetAsync("api/topics/ghost/records/tail"),
        };
        foreach (var call in calls)
        {
            await Problem.AssertAsync(await call(), HttpStatusCode.NotFound, OrkaErrorCode.UnknownTopicOrPartition);
        }

        Assert.DoesNotContain("ghost", await cluster.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync());
    }

    // Intent: walking the topic list with limit=2 and the returned cursors visits every topic exactly once.
    [Fact]
    public async Task Topics_ListWithCursor_VisitsEveryTopicOnce()
    {
        var mine = Enumerable.Range(0, 5).Select(i => $"paged-{i}").ToList();
        foreach (var name in mine)
        {
            await _http.CreateTopicAsync(name, 1);
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _http.GetJsonAsync($"api/topics?limit=2{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}");
            var items = page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items);
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.All(mine, name => Assert.Contains(name, seen));
        await Problem.AssertAsync(await _http.GetAsync("api/topics?limit=0"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        await Problem.AssertAsync(await _http.GetAsync("api/topics?cursor=%%%"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
    }

    // Intent: the topic list's records/s in rises above zero while records are being produced, and sizes and counts match the log.
    [Fact]
    public async Task Topics_WhileProducing_RecordsInPerSecondAboveZero()
    {
        await _http.CreateTopicAsync("busy", 1);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var produced = 0;
        var producing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await _http.ProduceAsync("busy", 0, "a", "b", "c", "d");
                Interlocked.Add(ref produced, 4);
            }
        });
        try
        {
            await Api.EventuallyAsync(
                async () =>
                {
                    var page = await _http.GetJsonAsync("api/topics?limit=1000");
                    var busy = page.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "busy");
                    return busy.GetProperty("recordsInPerSecond").GetDouble() > 0 && busy.GetProperty("records").GetInt64() > 0 && busy.GetProperty("sizeBytes").GetInt64() > 0;
                },
                TimeSpan.FromSeconds(20),
                "topic 'busy' to show records/s in > 0 in the topic list");
        }
        finally
        {
            await stop.CancelAsync();
            await producing.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var offsets = await cluster.Client.GetGrain<IPartitionGrain>(new TopicPartition("busy", 0).ToGrainKey()).GetOffsetsAsync();
        Assert.True(offsets.LogEndOffset >= 4, $"log end {offsets.LogEndOffset}");
    }
}
