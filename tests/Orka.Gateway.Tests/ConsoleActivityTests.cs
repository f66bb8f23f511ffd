using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Orka.Gateway.Tests;

/// <summary>The topic page's throughput charts and reading groups, and the group page's lag figures, in a real browser.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsoleActivityTests(ClusterFixture cluster, BrowserFixture browser) : ConsolePageTest(cluster, browser), IClassFixture<BrowserFixture>
{
    private Task CommitAsync(string group, string topic, int partition, long offset) =>
        Cluster.Client.GetGrain<IConsumerGroupGrain>(group).CommitAsync([new CommittedOffset(new TopicPartition(topic, partition), offset)]);

    private async Task AwaitThroughputSampleAsync(string topic) =>
        await Api.EventuallyAsync(
            async () => (await Http.GetJsonAsync($"api/topics/{topic}/throughput")).GetArrayLength() > 0,
            TimeSpan.FromSeconds(20),
            $"two gateway samples of topic '{topic}' (one throughput point)");

    // Intent: records produced and committed after the gateway first sampled a topic show as records/s and bytes/s in and out on its charts; the group reading it is listed with its lag on it.
    [Fact]
    public async Task Console_TopicPage_ThroughputChartsAndReadingGroups()
    {
        await Http.CreateTopicAsync("flowing", 2);
        await AwaitThroughputSampleAsync("flowing");
        await Http.ProduceAsync("flowing", 0, [.. Enumerable.Range(0, 30).Select(i => $"record-{i:D4}-{new string('x', 100)}")]);
        await Http.ProduceAsync("flowing", 1, "one", "two");
        await CommitAsync("flow-reader", "flowing", 0, 10);

        await Page.GotoAsync("/#/topics/flowing");
        var groupRow = Page.Locator("#topic-groups tr[data-group='flow-reader']");
        await Expect(groupRow.Locator("td.lag")).ToHaveTextAsync("22"); // 30 on partition 0, committed at 10; partition 1's 2 records never read
        await Expect(groupRow).ToContainTextAsync("0: 20");
        await Expect(groupRow).ToContainTextAsync("1: 2");

        // Each chart's series carries its peak: above zero once a sample saw the records arrive and the commit move.
        foreach (var path in new[] { "#records-chart path[data-series='in']", "#records-chart path[data-series='out']", "#bytes-chart path[data-series='in']", "#bytes-chart path[data-series='out (est.)']" })
        {
            await Expect(Page.Locator(path)).Not.ToHaveAttributeAsync("data-max", "0", new() { Timeout = 30_000 });
        }

        var flow = (await Http.GetJsonAsync("api/topics/flowing/throughput")).EnumerateArray().ToList();
        var seconds = flow.Zip(flow.Skip(1), (a, b) => (b.GetProperty("at").GetDateTimeOffset() - a.GetProperty("at").GetDateTimeOffset()).TotalSeconds).ToList();
        var recordsIn = flow.Skip(1).Select((p, i) => p.GetProperty("recordsInPerSecond").GetDouble() * seconds[i]).Sum();
        Assert.InRange(recordsIn, 31.5, 32.5); // every record produced counted once, whatever the sampling moments
        Assert.Contains(flow, p => p.GetProperty("bytesInPerSecond").GetDouble() > 0);
        await ScreenshotAsync("topic-activity");
    }

    // Intent: on a group page the total lag card, the sum of the table's lags and the chart's newest point are one figure, and the legend names each partition.
    [Fact]
    public async Task Console_GroupPage_HeaderTableAndChartAgree_LegendPerPartition()
    {
        await Http.CreateTopicAsync("agreeing", 3);
        for (var p = 0; p < 3; p++)
        {
            await Http.ProduceAsync("agreeing", p, [.. Enumerable.Range(0, 5 * (p + 1)).Select(i => $"v{i}")]);
            await CommitAsync("agreeing-group", "agreeing", p, 1);
        }

        await Page.GotoAsync("/#/groups/agreeing-group");
        await Expect(Page.Locator("#group-total-lag .value")).ToHaveTextAsync("27"); // 4 + 9 + 14
        foreach (var (p, lag) in new[] { (0, "4"), (1, "9"), (2, "14") })
        {
            await Expect(Page.Locator($"#lag-legend [data-series='agreeing/{p}'] b")).ToHaveTextAsync(lag);
        }

        // Lag keeps moving while the page refreshes: read the three figures in one go, then move it and read again.
        for (var round = 0; round < 2; round++)
        {
            var figures = await Page.EvaluateAsync<string[]>("""
                () => [
                  document.querySelector('#group-total-lag .value').textContent,
                  String([...document.querySelectorAll('#group-offsets td.lag')].reduce((s, td) => s + Number(td.textContent.replace(/,/g, '')), 0)),
                  document.querySelector('#lag-chart svg').dataset.lastTotal,
                  document.querySelector("#lag-legend [data-series='total lag now'] b").textContent,
                ]
                """);
            Assert.True(figures.Distinct().Count() == 1, $"card, table sum, chart and legend differ: {string.Join(" / ", figures)}");
            await Http.ProduceAsync("agreeing", 2, "more", "more");
            await Expect(Page.Locator("#group-total-lag .value")).ToHaveTextAsync((29 + (2 * round)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await ScreenshotAsync("group-lag");
    }

    // Intent: with the system in dark mode the pages and the charts use the dark palette (checked on computed colours), and in light mode the light one.
    [Fact]
    public async Task Console_DarkColorScheme_PagesAndChartsFollowIt()
    {
        await Http.CreateTopicAsync("in-the-dark", 1);
        await Http.ProduceAsync("in-the-dark", 0, "a", "b", """{"order":{"id":7,"paid":true}}""");
        await CommitAsync("dark-group", "in-the-dark", 0, 1);

        await using var dark = await NewContextAsync(ColorScheme.Dark);
        var page = await dark.NewPageAsync();
        await page.GotoAsync("/#/groups/dark-group");
        await Expect(page.Locator("#lag-chart svg path[data-series='total lag now']")).ToBeAttachedAsync(); // a flat line has no height, so "visible" does not apply
        var darkColours = await ColoursAsync(page);
        Assert.Equal("rgb(13, 17, 23)", darkColours["body"]);
        Assert.Equal("rgb(22, 27, 34)", darkColours["panel"]);
        Assert.Equal("rgb(230, 237, 243)", darkColours["ink"]);
        Assert.Equal("rgb(154, 164, 178)", darkColours["axis"]);
        Assert.Equal("rgb(240, 246, 252)", darkColours["total"]);
        Assert.Equal("rgb(110, 168, 254)", darkColours["partition"]);
        await ScreenshotAsync("group-dark", page);
        await page.GotoAsync("/#/topics/in-the-dark");
        await Expect(page.Locator("#records-chart svg")).ToBeVisibleAsync();
        await ScreenshotAsync("topic-dark", page);
        await page.GotoAsync("/#/topics/in-the-dark/messages");
        var key = page.Locator("#messages .json-tree .j-key").First;
        await Expect(key).ToHaveCSSAsync("color", "rgb(210, 168, 255)");
        await ScreenshotAsync("messages-dark", page);

        await Page.GotoAsync("/#/groups/dark-group");
        await Expect(Page.Locator("#lag-chart svg path[data-series='total lag now']")).ToBeAttachedAsync();
        var lightColours = await ColoursAsync(Page);
        Assert.Equal("rgb(246, 247, 249)", lightColours["body"]);
        Assert.Equal("rgb(255, 255, 255)", lightColours["panel"]);
        Assert.Equal("rgb(102, 112, 133)", lightColours["axis"]);
        Assert.Equal("rgb(17, 24, 39)", lightColours["total"]);
    }

    private static Task<Dictionary<string, string>> ColoursAsync(IPage page) => page.EvaluateAsync<Dictionary<string, string>>("""
        () => {
          const css = s => getComputedStyle(document.querySelector(s));
          return {
            body: getComputedStyle(document.body).backgroundColor,
            ink: getComputedStyle(document.body).color,
            panel: css('.panel').backgroundColor,
            axis: css('#lag-chart svg text.axis').fill,
            total: css("#lag-chart svg path[data-series='total lag now']").stroke,
            partition: css("#lag-chart svg path[data-series='in-the-dark/0']").stroke,
          };
        }
        """);
}
