using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orka.Gateway.Tests;

/// <summary>Small helpers for calling the gateway's API in tests.</summary>
internal static class Api
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.ReasonPhrase}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string path) =>
        await (await http.GetAsync(path)).ReadJsonAsync();

    public static async Task CreateTopicAsync(this HttpClient http, string name, int partitions, object? config = null)
    {
        var response = await http.PostAsJsonAsync("api/topics", new { name, partitions, config });
        await response.ReadJsonAsync();
    }

    /// <summary>Produces unkeyed text records to one partition; returns their offsets.</summary>
    public static async Task<long[]> ProduceAsync(this HttpClient http, string topic, int partition, params string[] values)
    {
        var records = new JsonArray(values.Select(v => (JsonNode)new JsonObject { ["value"] = v, ["partition"] = partition }).ToArray());
        var response = await http.PostAsync($"api/topics/{topic}/records", Json(new JsonObject { ["records"] = records }.ToJsonString()));
        var json = await response.ReadJsonAsync();
        return json.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("offset").GetInt64()).ToArray();
    }

    /// <summary>Awaits <paramref name="condition"/>, polling; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for: {what}");
            }
        }
    }
}
