using System.Text.Json;
using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Orka.Gateway.Tests;

/// <summary>The message browser's server-side search, JSON tree and shareable URL, in a real browser.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsoleMessageSearchTests(ClusterFixture cluster, BrowserFixture browser) : ConsolePageTest(cluster, browser), IClassFixture<BrowserFixture>
{
    // Intent: a URL with a JSON path filter over all partitions shows only the matches in timestamp order; filters typed in the form land in the URL and survive a reload; a bounded scan says where it stopped and continues.
    [Fact]
    public async Task Console_MessageSearch_FilterAllPartitionsJsonTreeUrlState()
    {
        await Http.CreateTopicAsync("filtered", 2);
        var records = Enumerable.Range(1, 8).Select(i => new
        {
            key = $"user-{i}",
            value = JsonSerializer.Serialize(new { user = new { id = i % 2 == 0 ? 42 : i, tags = new[] { "a", "b" } }, n = i }),
            partition = i % 2 == 0 ? 0 : 1,
            timestamp = 1_700_000_000_000L + (i * 1000),
        });
        await (await Http.PostAsync("api/topics/filtered/records", Api.Json(JsonSerializer.Serialize(new { records })))).ReadJsonAsync();

        await Page.GotoAsync("/#/topics/filtered/messages?partition=all&json=" + Uri.EscapeDataString("$.user.id == 42"));
        var rows = Page.Locator("#messages tr[data-offset]");
        await Expect(rows).ToHaveCountAsync(4);
        for (var i = 0; i < 4; i++)
        {
            await Expect(rows.Nth(i)).ToContainTextAsync($"user-{(i + 1) * 2}"); // by timestamp: 2, 4, 6, 8
        }

        await Expect(Page.Locator("#messages-info")).ToContainTextAsync("scanned 8 records");
        await Expect(Page.Locator("#messages-info")).ToHaveAttributeAsync("data-stopped", "end");
        await Expect(Page.Locator("#msg-json")).ToHaveValueAsync("$.user.id == 42");

        // The value is a tree: "user" is an object that folds when its summary is clicked.
        var userObject = rows.Nth(0).Locator(".json-tree details details").First;
        await Expect(userObject).ToContainTextAsync("\"id\": 42");
        Assert.True(await userObject.EvaluateAsync<bool>("d => d.open"));
        await userObject.Locator("> summary").ClickAsync();
        Assert.False(await userObject.EvaluateAsync<bool>("d => d.open"));
        await ScreenshotAsync("messages-search");

        // Filters typed into the form go into the URL, and a reload shows the same view.
        await Page.FillAsync("#msg-json", "");
        await Page.FillAsync("#msg-key", "user-3");
        await Page.SelectOptionAsync("#msg-partition", "1");
        await Page.ClickAsync("#msg-go");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(Page).ToHaveURLAsync(new Regex("partition=1&.*key=user-3"));
        await Page.ReloadAsync();
        await Expect(Page.Locator("#msg-key")).ToHaveValueAsync("user-3");
        await Expect(Page.Locator("#msg-partition")).ToHaveValueAsync("1");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Nth(0)).ToHaveAttributeAsync("data-partition", "1");

        // A scan bounded to 3 records stops there; "Continue scan" goes on from the cursor until the end.
        await Page.FillAsync("#msg-key", "");
        await Page.SelectOptionAsync("#msg-partition", "all");
        await Page.FillAsync("#msg-max-scan", "3");
        await Page.ClickAsync("#msg-go");
        await Expect(Page.Locator("#messages-info")).ToHaveAttributeAsync("data-stopped", "scanLimit");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(Page.Locator("#messages-info")).ToContainTextAsync("p0 at 1 of 4, p1 at 2 of 4");
        await Page.ClickAsync("#msg-next");
        await Expect(Page).ToHaveURLAsync(new Regex("cursor=0%3A1%2C1%3A2"));
        await Expect(rows.Nth(0)).ToContainTextAsync("user-4");
        await Page.ClickAsync("#msg-next");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(Page.Locator("#messages-info")).ToHaveAttributeAsync("data-stopped", "end");
        await Expect(Page.Locator("#msg-next")).ToBeDisabledAsync();
    }
}
