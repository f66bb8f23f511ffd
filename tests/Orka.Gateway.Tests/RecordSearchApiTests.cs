using System.Net;
using System.Text.Json;

namespace Orka.Gateway.Tests;

/// <summary>The server-side record search: filters, the merge by timestamp across partitions, the scan bound and its cursor.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RecordSearchApiTests(ClusterFixture cluster)
{
    private readonly HttpClient _http = cluster.CreateHttpClient();

    /// <summary>Twelve records over three partitions with timestamps 1..12 s spread round-robin, so the merge order differs from partition order.</summary>
    private async Task ProduceOrdersAsync(string topic)
    {
        await _http.CreateTopicAsync(topic, 3);
        var records = Enumerable.Range(1, 12).Select(i => new
        {
            key = $"order-{i}",
            value = JsonSerializer.Serialize(new { user = new { id = i % 4 == 0 ? 42 : i }, status = i % 3 == 0 ? "shipped" : "new" }),
            headers = new Dictionary<string, string> { ["source"] = i % 2 == 0 ? "web" : "app" },
            partition = (i * 2) % 3,
            timestamp = 1_700_000_000_000L + (i * 1000),
        });
        var response = await _http.PostAsync($"api/topics/{topic}/records", Api.Json(JsonSerializer.Serialize(new { records })));
        await response.ReadJsonAsync();
    }

    private static List<string> Keys(JsonElement page) =>
        [.. page.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("key").GetString()!)];

    // Intent: without a partition the search reads every partition merged by timestamp, and each filter keeps exactly the records it names.
    [Fact]
    public async Task Search_AllPartitionsWithFilters_MergedByTimestampOnlyMatches()
    {
        await ProduceOrdersAsync("search-orders");

        var everything = await _http.GetJsonAsync("api/topics/search-orders/records/search");
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"order-{i}"), Keys(everything));
        Assert.Equal(12, everything.GetProperty("scanned").GetInt64());
        Assert.Equal("end", everything.GetProperty("stoppedBecause").GetString());
        Assert.Equal(JsonValueKind.Null, everything.GetProperty("nextCursor").ValueKind);

        var byJsonPath = await _http.GetJsonAsync("api/topics/search-orders/records/search?json=" + Uri.EscapeDataString("$.user.id == 42"));
        Assert.Equal(["order-4", "order-8", "order-12"], Keys(byJsonPath));
        Assert.Equal(12, byJsonPath.GetProperty("scanned").GetInt64());

        var byStatus = await _http.GetJsonAsync("api/topics/search-orders/records/search?json=" + Uri.EscapeDataString("$.status == 'shipped'"));
        Assert.Equal(["order-3", "order-6", "order-9", "order-12"], Keys(byStatus));
        var exists = await _http.GetJsonAsync("api/topics/search-orders/records/search?json=" + Uri.EscapeDataString("$.user.missing exists"));
        Assert.Empty(Keys(exists));

        var byKey = await _http.GetJsonAsync("api/topics/search-orders/records/search?key=ORDER-1");
        Assert.Equal(["order-1", "order-10", "order-11", "order-12"], Keys(byKey)); // case-insensitive substring
        var byValue = await _http.GetJsonAsync("api/topics/search-orders/records/search?value=shipped&header=source%3Dweb");
        Assert.Equal(["order-6", "order-12"], Keys(byValue));

        var onePartition = await _http.GetJsonAsync("api/topics/search-orders/records/search?partition=0&header=source");
        Assert.Equal(["order-3", "order-6", "order-9", "order-12"], Keys(onePartition));
        Assert.All(onePartition.GetProperty("records").EnumerateArray(), r => Assert.Equal(0, r.GetProperty("partition").GetInt32()));

        var fromTime = await _http.GetJsonAsync("api/topics/search-orders/records/search?timestamp=1700000010000");
        Assert.Equal(["order-10", "order-11", "order-12"], Keys(fromTime));
    }

    // Intent: a scan bounded by maxScan says how many records it read and where each partition stopped; following nextCursor finds every match exactly once.
    [Fact]
    public async Task Search_ScanLimit_ReportsWhereItStoppedAndCursorContinues()
    {
        await ProduceOrdersAsync("search-bounded");

        var found = new List<string>();
        var scanned = 0L;
        var first = await _http.GetJsonAsync("api/topics/search-bounded/records/search?maxScan=5&value=shipped");
        Assert.Equal(5, first.GetProperty("scanned").GetInt64());
        Assert.Equal("scanLimit", first.GetProperty("stoppedBecause").GetString());
        Assert.Equal(["order-3"], Keys(first));

        // Timestamps 1-5 s were scanned: partition 2 (orders 1, 4) stands at offset 2, partition 1 (2, 5) at 2, partition 0 (3) at 1.
        var positions = first.GetProperty("positions").EnumerateArray()
            .ToDictionary(p => p.GetProperty("partition").GetInt32(), p => p.GetProperty("nextOffset").GetInt64());
        Assert.Equal(new Dictionary<int, long> { [0] = 1, [1] = 2, [2] = 2 }, positions);
        Assert.Equal("0:1,1:2,2:2", first.GetProperty("nextCursor").GetString());

        var page = first;
        while (true)
        {
            found.AddRange(Keys(page));
            scanned += page.GetProperty("scanned").GetInt64();
            if (page.GetProperty("nextCursor").GetString() is not { } cursor)
            {
                break;
            }

            page = await _http.GetJsonAsync($"api/topics/search-bounded/records/search?maxScan=5&value=shipped&cursor={Uri.EscapeDataString(cursor)}");
        }

        Assert.Equal(["order-3", "order-6", "order-9", "order-12"], found);
        Assert.Equal(12, scanned);

        var limited = await _http.GetJsonAsync("api/topics/search-bounded/records/search?limit=2&header=source%3Dapp");
        Assert.Equal(["order-1", "order-3"], Keys(limited));
        Assert.Equal("limit", limited.GetProperty("stoppedBecause").GetString());
    }

    // Intent: a scan longer than one fetch (1 MiB) refills from where it stopped: every record is scanned once and the match at the end is found.
    [Fact]
    public async Task Search_ScanAcrossManyFetches_FindsTheLastRecord()
    {
        await _http.CreateTopicAsync("search-long", 1);
        var pad = new string('x', 2000);
        for (var request = 0; request < 20; request++)
        {
            // 30 records of ~2 KB per request keeps each body under the tests' 64 KiB limit; 600 records are ~1.2 MB.
            var records = Enumerable.Range(request * 30, 30).Select(n => new { value = JsonSerializer.Serialize(new { n, pad }), partition = 0 });
            await (await _http.PostAsync("api/topics/search-long/records", Api.Json(JsonSerializer.Serialize(new { records })))).ReadJsonAsync();
        }

        var last = await _http.GetJsonAsync("api/topics/search-long/records/search?json=" + Uri.EscapeDataString("$.n == 599"));
        Assert.Equal(600, last.GetProperty("scanned").GetInt64());
        Assert.Equal("end", last.GetProperty("stoppedBecause").GetString());
        Assert.Equal(599, Assert.Single(last.GetProperty("records").EnumerateArray()).GetProperty("offset").GetInt64());

        var bounded = await _http.GetJsonAsync("api/topics/search-long/records/search?maxScan=550&json=" + Uri.EscapeDataString("$.n >= 540"));
        Assert.Equal(10, bounded.GetProperty("records").GetArrayLength());
        Assert.Equal("0:550", bounded.GetProperty("nextCursor").GetString());
        var rest = await _http.GetJsonAsync("api/topics/search-long/records/search?cursor=0:550&json=" + Uri.EscapeDataString("$.n >= 540"));
        Assert.Equal(50, rest.GetProperty("scanned").GetInt64());
        Assert.Equal(Enumerable.Range(550, 50).Select(n => (long)n), rest.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("offset").GetInt64()));
    }

    // Intent: a malformed filter, cursor or bound fails that request with a problem saying what to fix.
    [Fact]
    public async Task Search_BadParameters_ProblemJson()
    {
        await _http.CreateTopicAsync("search-bad", 2);
        var detail = await Problem.AssertAsync(
            await _http.GetAsync("api/topics/search-bad/records/search?json=" + Uri.EscapeDataString("user.id == 42")), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        Assert.Contains("$", detail);
        await Problem.AssertAsync(
            await _http.GetAsync("api/topics/search-bad/records/search?json=" + Uri.EscapeDataString("$.a == {")), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/search-bad/records/search?cursor=zero"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/search-bad/records/search?offset=0"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/search-bad/records/search?maxScan=0"), HttpStatusCode.BadRequest, OrkaErrorCode.InvalidRequest);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/search-bad/records/search?partition=7"), HttpStatusCode.NotFound, OrkaErrorCode.UnknownTopicOrPartition);
        await Problem.AssertAsync(await _http.GetAsync("api/topics/search-bad/records/search?partition=0&offset=5"), HttpStatusCode.RequestedRangeNotSatisfiable, OrkaErrorCode.OffsetOutOfRange);
    }
}
