using Microsoft.Playwright;
using Orka.Client;
using static Microsoft.Playwright.Assertions;

namespace Orka.Gateway.Tests;

/// <summary>The web console in a real browser against the real gateway and node; a screenshot of each page lands in artifacts/.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsoleBrowserTests(ClusterFixture cluster, BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly HttpClient _http = cluster.CreateHttpClient();
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(20_000);
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = cluster.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private Task ScreenshotAsync(string name) =>
        _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(browser.Artifacts, $"{name}.png"), FullPage = true });

    // Intent: the cluster page shows the live node and how many partitions it holds.
    [Fact]
    public async Task Console_ClusterPage_ShowsActiveNodeAndItsPartitions()
    {
        await _http.CreateTopicAsync("overview", 3);
        await _page.GotoAsync("/");
        var node = _page.Locator("#nodes tr[data-node='0']");
        await Expect(node).ToContainTextAsync("Active");

        // Tests of this collection run one at a time: no topic appears while the page is checked.
        var held = 0;
        foreach (var topic in await cluster.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync())
        {
            held += (await cluster.Client.GetGrain<ITopicGrain>(topic).GetMetadataAsync())?.PartitionCount ?? 0;
        }

        await Expect(node.Locator("td").Nth(3)).ToHaveTextAsync(held.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(_page.Locator("#cluster-cards")).ToContainTextAsync("Healthy");
        await ScreenshotAsync("cluster");
    }

    // Intent: a topic created in the console exists in the cluster; a record produced from its page lands in it; deleting it in the console removes it.
    [Fact]
    public async Task Console_CreateProduceDeleteTopic_ClusterFollows()
    {
        await _page.GotoAsync("/#/topics");
        await _page.FillAsync("#create-topic input[name=name]", "console-made");
        await _page.FillAsync("#create-topic input[name=partitions]", "3");
        await _page.FillAsync("#create-topic textarea[name=config]", "retention.ms=7200000");
        await _page.ClickAsync("#create-topic button[type=submit]");

        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/topics/console-made$"));
        await Expect(_page.Locator("#partitions tr")).ToHaveCountAsync(3);
        var metadata = await cluster.Client.GetGrain<ITopicGrain>("console-made").GetMetadataAsync();
        Assert.Equal(3, metadata!.PartitionCount);
        Assert.Equal("7200000", metadata.Config["retention.ms"]);

        await _page.FillAsync("#produce input[name=key]", "from-console");
        await _page.FillAsync("#produce textarea[name=value]", "hello from the browser");
        await _page.SelectOptionAsync("#produce select[name=partition]", "2");
        await _page.ClickAsync("#produce button[type=submit]");
        await Expect(_page.Locator("#toast")).ToContainTextAsync("partition 2 at offset 0");
        await Expect(_page.Locator("#partitions tr[data-partition='2']")).ToContainTextAsync("1"); // the log end moved
        var stored = await _http.GetJsonAsync("api/topics/console-made/partitions/2/records");
        Assert.Equal("hello from the browser", stored.GetProperty("records")[0].GetProperty("value").GetString());

        await _page.FillAsync("#alter-config textarea[name=set]", "segment.bytes=1048576");
        await _page.FillAsync("#alter-config input[name=remove]", "retention.ms");
        await _page.ClickAsync("#alter-config button[type=submit]");
        // Every key is listed with its value, default and source; the one set shows as set, the removed one as its default.
        await Expect(_page.Locator("#config tr[data-key='segment.bytes']")).ToHaveAttributeAsync("data-source", "DynamicTopicConfig");
        await Expect(_page.Locator("#config tr[data-key='segment.bytes'] td.value")).ToHaveTextAsync("1048576");
        await Expect(_page.Locator("#config tr[data-key='segment.bytes']")).ToContainTextAsync("1073741824"); // the default beside it
        await Expect(_page.Locator("#config tr[data-key='retention.ms']")).ToHaveAttributeAsync("data-source", "DefaultConfig");
        await Expect(_page.Locator("#config tr[data-key='retention.ms'] td.value")).ToHaveTextAsync("604800000");
        Assert.Equal(
            new Dictionary<string, string> { ["segment.bytes"] = "1048576" },
            (await cluster.Client.GetGrain<ITopicGrain>("console-made").GetMetadataAsync())!.Config);

        await _page.FillAsync("#add-partitions input[name=count]", "4");
        await _page.ClickAsync("#add-partitions button[type=submit]");
        await Expect(_page.Locator("#partitions tr")).ToHaveCountAsync(4);
        await ScreenshotAsync("topic");

        await _page.GotoAsync("/#/topics");
        await Expect(_page.Locator("#topics tr[data-topic='console-made']")).ToBeVisibleAsync();
        await ScreenshotAsync("topics");

        await _page.GotoAsync("/#/topics/console-made");
        _page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await _page.ClickAsync("#delete-topic");
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/topics$"));
        Assert.Null(await cluster.Client.GetGrain<ITopicGrain>("console-made").GetMetadataAsync());
    }

    // Intent: records produced through the API appear in the message browser with key, value and headers; jumping to an offset and the live tail work.
    [Fact]
    public async Task Console_MessageBrowser_ShowsRecordsProducedThroughApi_JumpAndLiveTail()
    {
        await _http.CreateTopicAsync("browsed", 2);
        await (await _http.PostAsync("api/topics/browsed/records", Api.Json("""
            {"records":[
              {"key":"order-1","value":"{\"total\":12}","headers":{"source":"api"},"partition":1},
              {"key":"order-2","value":"second","partition":1},
              {"key":"order-3","value":"third","partition":1}
            ]}
            """))).ReadJsonAsync();

        await (await _http.PostAsync("api/topics/browsed/records", Api.Json("""
            {"records":[
              {"value":"at-20","timestamp":1700000000000,"partition":0},
              {"value":"at-21","timestamp":1700000001000,"partition":0},
              {"value":"at-22","timestamp":1700000002000,"partition":0}
            ]}
            """))).ReadJsonAsync();

        await _page.GotoAsync("/#/topics/browsed/messages");
        var rows = _page.Locator("#messages tr[data-offset]");
        await Expect(_page.Locator("#msg-partition option")).ToHaveCountAsync(3); // all, 0, 1
        await _page.SelectOptionAsync("#msg-partition", "1");
        await _page.ClickAsync("#msg-go");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0)).ToContainTextAsync("order-1");
        await Expect(rows.Nth(0).Locator(".json-tree")).ToContainTextAsync("\"total\": 12"); // pretty-printed
        await Expect(rows.Nth(0)).ToContainTextAsync("source=api");
        await Expect(rows.Nth(2)).ToContainTextAsync("third");

        await _page.FillAsync("#msg-offset", "2");
        await _page.ClickAsync("#msg-go");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Nth(0)).ToHaveAttributeAsync("data-offset", "2");

        // Jump to a time (UTC, as the table shows): the first record at or after it, then the rest.
        await _page.SelectOptionAsync("#msg-partition", "0");
        await _page.SelectOptionAsync("#msg-mode", "time");
        await _page.FillAsync("#msg-time", "2023-11-14T22:13:20.5");
        await _page.ClickAsync("#msg-go");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("at-21");
        await Expect(rows.Nth(0)).ToContainTextAsync("2023-11-14 22:13:21.000");

        await _page.ClickAsync("#live-tail");
        await Expect(_page.Locator("#messages-info[data-state='open']")).ToBeVisibleAsync();
        await _http.ProduceAsync("browsed", 0, "live-record");
        await Expect(_page.Locator("#messages tr[data-partition='0']")).ToContainTextAsync("live-record");
        await ScreenshotAsync("messages");
    }

    // Intent: a group's lag shown in the console goes down as a consumer reads and commits, and the lag chart follows.
    [Fact]
    public async Task Console_GroupPage_LagGoesDownAsConsumerReads()
    {
        await _http.CreateTopicAsync("lagging", 1);
        await _http.ProduceAsync("lagging", 0, [.. Enumerable.Range(0, 40).Select(i => $"r{i}")]);
        await cluster.Client.GetGrain<IConsumerGroupGrain>("lag-watch").CommitAsync([new CommittedOffset(new TopicPartition("lagging", 0), 0)]);

        await _page.GotoAsync("/#/groups");
        await Expect(_page.Locator("#groups tr[data-group='lag-watch']")).ToContainTextAsync("40");
        await ScreenshotAsync("groups");

        await _page.GotoAsync("/#/groups/lag-watch");
        var total = _page.Locator("#group-total-lag .value");
        await Expect(total).ToHaveTextAsync("40");
        await Expect(_page.Locator("#group-offsets tr[data-tp='lagging/0'] td.lag")).ToHaveTextAsync("40");

        var consumer = new OrkaConsumer(cluster.Client, new ConsumerOptions { GroupId = "lag-watch", AutoOffsetReset = AutoOffsetReset.Earliest });
        await consumer.AssignAsync("lagging");
        await ConsumeAndCommitAsync(consumer, 25);
        await Expect(total).ToHaveTextAsync("15");
        await ConsumeAndCommitAsync(consumer, 15);
        await Expect(total).ToHaveTextAsync("0");
        await Expect(_page.Locator("#lag-legend")).ToContainTextAsync("total lag now 0");
        await ScreenshotAsync("group");

        // The group is empty (the native consumer commits without joining), so the console may rewind it.
        await _page.FillAsync("#reset-offsets input[name=topic]", "lagging");
        await _page.SelectOptionAsync("#reset-offsets select[name=kind]", "Earliest");
        await _page.ClickAsync("#reset-offsets button[type=submit]");
        await Expect(total).ToHaveTextAsync("40");
        var committed = await cluster.Client.GetGrain<IConsumerGroupGrain>("lag-watch").GetCommittedAsync("lagging");
        Assert.Equal(0, Assert.Single(committed).Offset);
    }

    private static async Task ConsumeAndCommitAsync(OrkaConsumer consumer, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = 0;
        await foreach (var _ in consumer.ConsumeAsync(timeout.Token))
        {
            if (++read == count)
            {
                break;
            }
        }

        Assert.Equal(count, read);
        await consumer.CommitAsync();
    }
}
