using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orka.Silo;

namespace Orka.Gateway.Tests;

/// <summary>
/// Two real nodes and the gateway; node 1 is stopped mid-test. The API must keep answering, say
/// which partitions are unavailable, and refuse writes to them with a retriable 503.
/// </summary>
public sealed class NodeDownTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("orka-gateway-down-").FullName;
    private readonly List<WebApplication> _silos = [];
    private WebApplication? _gateway;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(4);
        for (var node = 0; node < 2; node++)
        {
            var silo = SiloHost.Build(
            [
                $"--Orka:NodeId={node}",
                "--Orka:Kafka:Port=0", // any free port: test assemblies run in parallel
                $"--Orka:DataDirectory={Path.Combine(_root, $"node-{node}")}",
                $"--Orka:MetadataDirectory={Path.Combine(_root, "metadata")}",
                $"--Orleans:Endpoints:SiloPort={ports[node * 2]}",
                $"--Orleans:Endpoints:GatewayPort={ports[(node * 2) + 1]}",
                $"--Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:{ports[0]}",
                "--urls=http://127.0.0.1:0",
                "--Logging:LogLevel:Default=Warning",
            ]);
            await silo.StartAsync();
            _silos.Add(silo);
        }

        _gateway = GatewayHost.Build(
        [
            $"--Orka:Gateways=127.0.0.1:{ports[1]},127.0.0.1:{ports[3]}",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _gateway.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_gateway.Urls.Single().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        foreach (var app in new[] { _gateway }.Concat(_silos.AsEnumerable().Reverse()))
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        Directory.Delete(_root, recursive: true);
    }

    // Intent: with a node down the cluster is Degraded with its partitions counted unavailable, describe still answers, and a produce to its partition is a retriable 503 while the other partitions take writes.
    [Fact]
    public async Task NodeDown_ClusterDegraded_DescribeAnswers_ProduceToItsPartition503()
    {
        await Api.EventuallyAsync(
            async () => (await _http.GetJsonAsync("api/cluster/health")).GetProperty("activeNodes").GetInt32() == 2,
            TimeSpan.FromSeconds(30),
            "both nodes active");
        await _http.CreateTopicAsync("spread", 4);
        var described = await _http.GetJsonAsync("api/topics/spread");
        var nodes = described.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("node").GetInt32()).ToList();
        Assert.Contains(0, nodes);
        Assert.Contains(1, nodes);
        var onNode1 = nodes.IndexOf(1);
        var onNode0 = nodes.IndexOf(0);

        await _silos[1].StopAsync();
        await Api.EventuallyAsync(
            async () => (await _http.GetJsonAsync("api/cluster/health")).GetProperty("status").GetString() == "Degraded",
            TimeSpan.FromSeconds(60),
            "cluster health Degraded after node 1 stopped");

        var cluster = await _http.GetJsonAsync("api/cluster");
        Assert.Equal(nodes.Count(n => n == 1), cluster.GetProperty("health").GetProperty("unavailablePartitions").GetInt32());
        var node1 = cluster.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetInt32() == 1);
        Assert.NotEqual("Active", node1.GetProperty("status").GetString());

        var degraded = await _http.GetJsonAsync("api/topics/spread");
        Assert.Equal(-1, degraded.GetProperty("partitions")[onNode1].GetProperty("logEndOffset").GetInt64());
        Assert.Equal(JsonValueKind.Array, (await _http.GetJsonAsync("api/topics")).GetProperty("items").ValueKind);

        var refused = await _http.PostAsync("api/topics/spread/records", Api.Json($$"""{"records":[{"value":"x","partition":{{onNode1}}}]}"""));
        await Problem.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, OrkaErrorCode.LeaderNotAvailable);
        var written = await _http.ProduceAsync("spread", onNode0, "still-writable");
        Assert.Equal([0L], written);
    }
}
