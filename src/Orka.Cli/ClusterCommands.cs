using System.CommandLine;
using Orka.Cli.Output;
using Orka.Client;

namespace Orka.Cli;

/// <summary><c>orka nodes</c> and <c>orka cluster info | health</c>.</summary>
internal static class ClusterCommands
{
    public static Command Nodes()
    {
        var output = CliOutput.CreateOption();
        var nodes = new Command("nodes", "List the cluster's nodes: id, status, silo") { output };
        nodes.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var view = (await new OrkaAdmin(client).ListNodesAsync()).Select(n => new NodeView(n.NodeId, n.Status, n.SiloAddress)).ToList();
            CliOutput.Write(parse, output, view, () =>
            {
                foreach (var node in view)
                {
                    Console.WriteLine($"Node: {node.NodeId}\tStatus: {node.Status}\tSilo: {node.Silo}");
                }
            });
        }));
        return nodes;
    }

    public static Command Cluster()
    {
        var cluster = new Command("cluster", "Show the cluster's nodes and health");
        cluster.Subcommands.Add(Info());
        cluster.Subcommands.Add(Health());
        return cluster;
    }

    private static Command Info()
    {
        var output = CliOutput.CreateOption();
        var info = new Command("info", "Each node's id, status, silo and the topics and partitions it holds") { output };
        info.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var view = (await ClusterOverview.LoadAsync(new OrkaAdmin(client))).Info();
            CliOutput.Write(parse, output, view, () =>
            {
                Console.WriteLine($"Topics: {view.TopicCount}\tPartitions: {view.PartitionCount}\tNodes: {view.Nodes.Count}");
                var table = new TextTable("NODE", "STATUS", "SILO", "TOPICS", "PARTITIONS");
                foreach (var node in view.Nodes)
                {
                    table.Add(node.NodeId, node.Status, node.Silo.Length == 0 ? "-" : node.Silo, node.Topics, node.Partitions);
                }

                Console.Write(table.ToString());
            });
        }));
        return info;
    }

    private static Command Health()
    {
        var output = CliOutput.CreateOption();
        var health = new Command("health", "Nodes up and down, offline and under-replicated partitions; exit code 0 when healthy, 1 when not") { output };
        health.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, _) =>
        {
            var view = (await ClusterOverview.LoadAsync(new OrkaAdmin(client))).Health();
            CliOutput.Write(parse, output, view, () =>
            {
                Console.WriteLine($"Healthy: {view.Healthy}");
                Console.WriteLine($"Nodes up: [{string.Join(",", view.NodesUp)}]");
                Console.WriteLine($"Nodes down: [{string.Join(",", view.NodesDown)}]");
                Console.WriteLine($"Offline partitions: {view.OfflinePartitionCount}");
                foreach (var p in view.OfflinePartitions)
                {
                    Console.WriteLine($"\t{p.Topic}/{p.Partition}\tNode: {p.Node}");
                }

                Console.WriteLine($"Under-replicated partitions: {view.UnderReplicatedPartitions}");
            });
            if (!view.Healthy)
            {
                throw new CliException($"cluster unhealthy: {view.NodesDown.Count} node(s) down, {view.OfflinePartitionCount} partition(s) offline");
            }
        }));
        return health;
    }
}
