using System.Net;
using System.Text;
using System.Text.Json;

namespace Orka.Gateway.Tests;

[Collection(ClusterCollection.Name)]
public sealed class RecordsApiTests(ClusterFixture cluster)
{
    private readonly HttpClient _http = cluster.CreateHttpClient();

    private Task<PartitionOffsets> OffsetsAsync(string topic, int partition) =>
        cluster.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, partition).ToGrainKey()).GetOffsetsAsync();

    // Intent: text, JSON, base64 binary, null values and headers survive produce and read unchanged, at the offsets the produce answered.
    [Fact]
    public async Task Records_ProduceThenRead_KeysValuesHeadersRoundTrip()
    {
        await _http.CreateTopicAsync("roundtrip", 2);
        var produced = await (await _http.PostAsync("api/topics/roundtrip/records", Api.Json("""
            {"records":[
              {"key":"k1","value":"hello","headers":{"trace":"abc","empty":null},"partition":1},
              {"value":{"total":12,"items":[1,2]},"partition":1},
              {"key":"k3","value":null,"partition":1}
            ]}
            """))).ReadJsonAsync();
        var placed = produced.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal([0L, 1L, 2L], placed.Select(r => r.GetProperty("offset").GetInt64()));
        Assert.All(placed, r => Assert.Equal(1, r.GetProperty("partition").GetInt32()));

        var binary = await (await _http.PostAsync("api/topics/roundtrip/records", Api.Json("""{"encoding":"base64","records":[{"key":"AP8=","value":"AAECAwT/","partition":1}]}"""))).ReadJsonAsync();
        Assert.Equal(3, binary.GetProperty("records")[0].GetProperty("offset").GetInt64());

        var page = await _http.GetJsonAsync("api/topics/roundtrip/partitions/1/records?offset=0");
        var records = page.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(4, records.Count);
        Assert.Equal(4, page.GetProperty("nextOffset").GetInt64());
        Assert.Equal(4, page.GetProperty("logEndOffset").GetInt64());

        Assert.Equal("k1", records[0].GetProperty("key").GetString());
        Assert.Equal("hello", records[0].GetProperty("value").GetString());
        var headers = records[0].GetProperty("headers").EnumerateArray().ToList();
        Assert.Equal(("trace", "abc"), (headers[0].GetProperty("key").GetString(), headers[0].GetProperty("value").GetString()));
        Assert.Equal(JsonValueKind.Null, headers[1].GetProperty("value").ValueKind);

        Assert.Equal("""{"total":12,"items":[1,2]}""", records[1].GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("key").ValueKind);
        Assert.Equal(JsonValueKind.Null, records[2].GetProperty("value").ValueKind);

        Assert.Equal("base64", records[3].GetProperty("keyEncoding").GetString());
        Assert.Equal(new byte[] { 0, 255 }, Convert.FromBase64String(records[3].GetProperty("key").GetString()!));
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 255 }, Convert.FromBase64String(records[3].GetProperty("value").GetString()!));

        // The records are in the partition the produce named, and nowhere else.
        Assert.Equal(0, (await OffsetsAsync("roundtrip", 0)).LogEndOffset);
    }

    // Intent: keyed records go to Kafka's murmur2 partition of their key, so one key always lands in one partition.
    [Fact]
    public async Task Records_ProduceKeyed_SameKeySamePartition()
    {
        await _http.CreateTopicAsync("keyed", 6);
        var json = "{\"records\":[" + string.Join(",", Enumerable.Range(0, 12).Select(i => $"{{\"key\":\"user-{i % 3}\",\"value\":\"{i}\"}}")) + "]}";
        var result = await (await _http.PostAsync("api/topics/keyed/records", Api.Json(json))).ReadJsonAsync();
        var partitions = result.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("partition").GetInt32()).ToList();
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(Client.Murmur2Partitioner.Partition(Encoding.UTF8.GetBytes($"user-{i % 3}"), 6), partitions[i]);
        }
    }

    // Intent: a request with one bad record (bad base64, missing partition, bad encoding) fails 400 and appends none of its records.
    [Theory]
    [InlineData("""{"encoding":"base64","records":[{"value":"AAEC"},{"value":"not base64!"}]}""")]
    [InlineData("""{"records":[{"value":"ok","partition":0},{"value":"x","partition":9}]}""")]
    [InlineData("""{"encoding":"hex","records":[{"value":"00"}]}""")]
    [InlineData("""{"records":[]}""")]
    [InlineData("""{"records":[{"value":"ok","partition":0}]""")]
    public async Task Records_ProduceWithABadRecord_400AndNothingAppended(string body)
    {
        await EnsureTopicAsync("atomic", 2);
        var before = (await OffsetsAsync("atomic", 0)).LogEndOffset + (await OffsetsAsync("atomic", 1)).LogEndOffset;
        await Problem.AssertAsync(await _http.PostAsync("api/topics/atomic/records", Api.Json(body)), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        Assert.Equal(before, (await OffsetsAsync("atomic", 0)).LogEndOffset + (await OffsetsAsync("atomic", 1)).LogEndOffset);
    }

    // Intent: a body over Orka:Gateway:MaxRequestBodyBytes is 413 RecordListTooLarge (with or without Content-Length) and appends nothing.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Records_ProduceOverBodyLimit_413AndNothingAppended(bool withContentLength)
    {
        await EnsureTopicAsync("limit", 1);
        var before = (await OffsetsAsync("limit", 0)).LogEndOffset;
        var value = new string('x', ClusterFixture.MaxRequestBodyBytes);
        var json = Encoding.UTF8.GetBytes($"{{\"records\":[{{\"value\":\"{value}\"}}]}}");
        HttpContent content = withContentLength ? new ByteArrayContent(json) : new StreamContent(new UnknownLengthStream(json));
        content.Headers.ContentType = new("application/json");
        var detail = await Problem.AssertAsync(await _http.PostAsync("api/topics/limit/records", content), HttpStatusCode.RequestEntityTooLarge, OrkaErrorCode.RecordListTooLarge);
        Assert.Contains("MaxRequestBodyBytes", detail);
        Assert.Equal(before, (await OffsetsAsync("limit", 0)).LogEndOffset);
    }

    // Intent: reading from an offset before the log start or past the log end is 416 OffsetOutOfRange; the log end itself is an empty page.
    [Fact]
    public async Task Records_ReadOutsideTheLog_416OffsetOutOfRange()
    {
        await EnsureTopicAsync("range", 1);
        var end = (await _http.ProduceAsync("range", 0, "a", "b", "c")).Last() + 1;
        var detail = await Problem.AssertAsync(await _http.GetAsync($"api/topics/range/partitions/0/records?offset={end + 1}"), HttpStatusCode.RequestedRangeNotSatisfiable, OrkaErrorCode.OffsetOutOfRange);
        Assert.Contains($"{end}", detail);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/range/partitions/0/records?offset=-1"), HttpStatusCode.RequestedRangeNotSatisfiable, OrkaErrorCode.OffsetOutOfRange);

        var atEnd = await _http.GetJsonAsync($"api/topics/range/partitions/0/records?offset={end}");
        Assert.Empty(atEnd.GetProperty("records").EnumerateArray());
        Assert.Equal(end, atEnd.GetProperty("nextOffset").GetInt64());

        await Problem.AssertAsync(await _http.GetAsync("api/topics/range/partitions/5/records"), HttpStatusCode.NotFound, OrkaErrorCode.UnknownTopicOrPartition);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/range/partitions/zero/records"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/range/partitions/0/records?limit=1001"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
    }

    // Intent: limit pages a partition and nextOffset continues exactly where the previous page stopped.
    [Fact]
    public async Task Records_ReadInPages_NextOffsetContinuesWithoutGapsOrRepeats()
    {
        await _http.CreateTopicAsync("pages", 1);
        var values = Enumerable.Range(0, 25).Select(i => $"v{i}").ToArray();
        await _http.ProduceAsync("pages", 0, values[..10]);
        await _http.ProduceAsync("pages", 0, values[10..]);

        var read = new List<string>();
        var next = 0L;
        while (true)
        {
            var page = await _http.GetJsonAsync($"api/topics/pages/partitions/0/records?offset={next}&limit=7");
            var records = page.GetProperty("records").EnumerateArray().ToList();
            Assert.True(records.Count <= 7);
            if (records.Count == 0)
            {
                break;
            }

            read.AddRange(records.Select(r => r.GetProperty("value").GetString()!));
            next = page.GetProperty("nextOffset").GetInt64();
        }

        Assert.Equal(values, read);
        Assert.Equal(25, next);
    }

    // Intent: reading from a timestamp starts at the first record whose timestamp is at or after it.
    [Fact]
    public async Task Records_ReadFromTimestamp_StartsAtFirstRecordAtOrAfterIt()
    {
        await _http.CreateTopicAsync("times", 1);
        var json = "{\"records\":[" + string.Join(",", Enumerable.Range(0, 10).Select(i => $"{{\"value\":\"t{i}\",\"timestamp\":{1_000_000 + (i * 1000)}}}")) + "]}";
        await (await _http.PostAsync("api/topics/times/records", Api.Json(json))).ReadJsonAsync();

        var page = await _http.GetJsonAsync("api/topics/times/partitions/0/records?timestamp=1004500&limit=3");
        Assert.Equal(["t5", "t6", "t7"], page.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
        Assert.Equal(1_005_000, page.GetProperty("records")[0].GetProperty("timestamp").GetInt64());

        var late = await _http.GetJsonAsync("api/topics/times/partitions/0/records?timestamp=9000000");
        Assert.Empty(late.GetProperty("records").EnumerateArray());
        Assert.Equal(10, late.GetProperty("nextOffset").GetInt64());
        await Problem.AssertAsync(await _http.GetAsync("api/topics/times/partitions/0/records?timestamp=1&offset=1"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
    }

    // Intent: the SSE tail delivers records produced after it started (not earlier ones), each as an event named record with its partition and offset.
    [Fact]
    public async Task Records_Tail_StreamsRecordsProducedAfterItStarted()
    {
        await _http.CreateTopicAsync("tailed", 3);
        await _http.ProduceAsync("tailed", 0, "before");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _http.GetAsync("api/topics/tailed/records/tail", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        await _http.ProduceAsync("tailed", 2, "after-1");
        await _http.ProduceAsync("tailed", 1, "after-2");

        var events = new List<(string Event, JsonElement Data)>();
        string? name = null;
        while (events.Count < 2)
        {
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("the event stream ended");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((name!, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone()));
            }
        }

        Assert.All(events, e => Assert.Equal("record", e.Event));
        Assert.Equal(
            [("after-1", 2, 0L), ("after-2", 1, 0L)],
            events.Select(e => (e.Data.GetProperty("value").GetString(), e.Data.GetProperty("partition").GetInt32(), e.Data.GetProperty("offset").GetInt64())).OrderBy(e => e.Item1));
    }

    private async Task EnsureTopicAsync(string name, int partitions)
    {
        if (await cluster.Client.GetGrain<ITopicGrain>(name).GetMetadataAsync() is null)
        {
            await _http.CreateTopicAsync(name, partitions);
        }
    }

    /// <summary>A body whose length is not known up front, so it goes chunked (no Content-Length).</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
