using System.Globalization;
using System.Text.Json;

namespace Orka.Cli.Tests;

/// <summary>
/// <c>orka cluster info</c> and <c>orka cluster health</c> against two real node processes, one of
/// which the test kills with SIGKILL.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ClusterHealthTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private readonly string _root = Directory.CreateTempSubdirectory("orka-cli-health-").FullName;
    private readonly List<SiloProcess> _silos = [];

    public void Dispose()
    {
        foreach (var silo in _silos)
        {
            silo.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    // Intent: with both nodes up the cluster is healthy (exit 0); after node 1 is killed health exits 1, lists
    // node 1 down and exactly the partitions it held as offline, and info shows node 1 not up.
    [Fact]
    public async Task ClusterHealth_NodeKilled_UnhealthyWithItsPartitionsOffline()
    {
        var ports = FreePorts.Take(4);
        var metadata = Path.Combine(_root, "metadata");
        for (var node = 0; node < 2; node++)
        {
            _silos.Add(SiloProcess.Start(Path.Combine(_root, $"node-{node}"), ports[node * 2], ports[(node * 2) + 1], node, ports[0], metadata));
        }

        var gateway = $"127.0.0.1:{ports[1]}";
        var healthy = await EventuallyAsync(gateway, h => h.ExitCode == 0 && Json(h).GetProperty("nodesUp").GetArrayLength() == 2, "both nodes up and healthy");
        Assert.Equal(0, Json(healthy).GetProperty("offlinePartitionCount").GetInt32());
        Assert.Equal(0, Json(healthy).GetProperty("underReplicatedPartitions").GetInt32());

        var created = await OrkaCli.RunAsync(gateway, null, "topics", "create", "spread", "--partitions", "4");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var info = await OrkaCli.RunAsync(gateway, null, "cluster", "info", "-o", "json");
        Assert.True(info.ExitCode == 0, info.Stderr);
        var nodes = Json(info).GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("nodeId").GetInt32());
        Assert.Equal([0, 1], nodes.Keys.Order());
        Assert.Equal(4, nodes.Values.Sum(n => n.GetProperty("partitions").GetInt32()));
        var onNode1 = nodes[1].GetProperty("partitions").GetInt32();
        Assert.True(onNode1 > 0, "topic creation spreads partitions over both live nodes");

        _silos[1].Kill();

        var unhealthy = await EventuallyAsync(gateway, h => h.ExitCode == 1 && Json(h).GetProperty("nodesDown").GetArrayLength() == 1, "node 1 reported down");
        var health = Json(unhealthy);
        Assert.False(health.GetProperty("healthy").GetBoolean());
        Assert.Equal([1], health.GetProperty("nodesDown").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal([0], health.GetProperty("nodesUp").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal(onNode1, health.GetProperty("offlinePartitionCount").GetInt32());
        Assert.All(health.GetProperty("offlinePartitions").EnumerateArray(), p =>
        {
            Assert.Equal("spread", p.GetProperty("topic").GetString());
            Assert.Equal(1, p.GetProperty("node").GetInt32());
        });
        Assert.Contains("unhealthy", unhealthy.Stderr, StringComparison.Ordinal);

        var table = await OrkaCli.RunAsync(gateway, null, "cluster", "health");
        Assert.Equal(1, table.ExitCode);
        Assert.Contains("Nodes down: [1]", table.Lines);
        Assert.Contains($"Offline partitions: {onNode1}", table.Lines);

        var after = await OrkaCli.RunAsync(gateway, null, "cluster", "info", "-o", "json");
        var node1 = Assert.Single(Json(after).GetProperty("nodes").EnumerateArray(), n => n.GetProperty("nodeId").GetInt32() == 1);
        Assert.False(node1.GetProperty("up").GetBoolean());
    }

    // Intent: a partition whose node is up can be read from a chosen offset and verified while another
    // partition's node is down: consume --partition asks only the partitions it reads for their offsets,
    // and verify reports the unreachable partition instead of stopping at it.
    [Fact]
    public async Task ConsumeAndVerify_PartitionOnLiveNodeWhileAnotherNodeIsDown_ServeTheLivePartition()
    {
        var ports = FreePorts.Take(4);
        var metadata = Path.Combine(_root, "metadata");
        for (var node = 0; node < 2; node++)
        {
            _silos.Add(SiloProcess.Start(Path.Combine(_root, $"node-{node}"), ports[node * 2], ports[(node * 2) + 1], node, ports[0], metadata));
        }

        var gateway = $"127.0.0.1:{ports[1]}";
        await EventuallyAsync(gateway, h => h.ExitCode == 0 && Json(h).GetProperty("nodesUp").GetArrayLength() == 2, "both nodes up and healthy");
        var created = await OrkaCli.RunAsync(gateway, null, "topics", "create", "halves", "--partitions", "2");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var described = await OrkaCli.RunAsync(gateway, null, "topics", "describe", "halves", "-o", "json");
        var nodeOf = Json(described).GetProperty("partitions").EnumerateArray()
            .ToDictionary(p => p.GetProperty("partition").GetInt32(), p => p.GetProperty("node").GetInt32());
        Assert.Equal([0, 1], nodeOf.Values.Order());
        var onNode0 = nodeOf.Single(p => p.Value == 0).Key;
        var produced = await OrkaCli.RunAsync(gateway, "a\nb\nc\n", "produce", "halves", "--partition", onNode0.ToString(CultureInfo.InvariantCulture));
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        _silos[1].Kill();
        await EventuallyAsync(gateway, h => h.ExitCode == 1 && Json(h).GetProperty("nodesDown").GetArrayLength() == 1, "node 1 reported down");

        var consumed = await OrkaCli.RunAsync(gateway, null, "consume", "halves", "--partition", onNode0.ToString(CultureInfo.InvariantCulture), "--offset", "start", "--max-messages", "3");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        Assert.Equal(["a", "b", "c"], consumed.Lines);

        // verify still checks the live node's partition and names the other as not verified.
        var verified = await OrkaCli.RunAsync(gateway, null, "partitions", "verify", "halves");
        Assert.Equal(1, verified.ExitCode);
        Assert.Contains(verified.Lines, l => l.StartsWith($"halves-{onNode0}\tOK", StringComparison.Ordinal));
        Assert.Contains(verified.Lines, l => l.StartsWith($"halves-{1 - onNode0}\tUNAVAILABLE", StringComparison.Ordinal));
        Assert.Contains("not verified", verified.Stderr, StringComparison.Ordinal);
    }

    private static JsonElement Json(OrkaCli.Result result) => JsonDocument.Parse(result.Stdout).RootElement;

    /// <summary>Runs <c>orka cluster health -o json</c> until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after <see cref="Bound"/>.</summary>
    private static async Task<OrkaCli.Result> EventuallyAsync(string gateway, Func<OrkaCli.Result, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        OrkaCli.Result last;
        do
        {
            last = await OrkaCli.RunAsync(gateway, null, "cluster", "health", "-o", "json");
            if (last.Stdout.TrimStart().StartsWith('{') && condition(last))
            {
                return last;
            }

            // Poll interval, not synchronization: back-to-back orka starts would load the machine the other tests share.
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"not within {Bound.TotalSeconds:0} s: {what}; last: exit {last.ExitCode}, {last.Stdout} {last.Stderr}");
    }
}
