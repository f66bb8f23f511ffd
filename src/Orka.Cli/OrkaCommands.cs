using System.CommandLine;
using Orka.Cli.Perf;
using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// The command tree of <c>orka</c>. Exit codes: 0 success, 1 a failure reported by the cluster or the
/// connection (one line on stderr), 2 bad usage.
/// </summary>
internal static class OrkaCommands
{
    private static readonly Option<string> Gateway = new("--gateway", "-g")
    {
        Description = $"Silo gateway endpoints, host:port[,host:port…] (default: ${OrkaEndpoints.GatewaysVariable} or {OrkaEndpoints.DefaultGateways})",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("orka: manage topics and consumer groups, produce/consume records on an Orka cluster");
        root.Options.Add(Gateway);
        root.Subcommands.Add(TopicCommands.Build());
        root.Subcommands.Add(ProduceCommand.Build());
        root.Subcommands.Add(ConsumeCommand.Build());
        root.Subcommands.Add(GroupCommands.Build());
        root.Subcommands.Add(PartitionCommands.Build());
        root.Subcommands.Add(ClusterCommands.Nodes());
        root.Subcommands.Add(ClusterCommands.Cluster());
        root.Subcommands.Add(PerfCommands.Build());
        root.Subcommands.Add(CompletionCommand.Build());
        return root;
    }

    internal static Acks ParseAcks(string text) => text switch
    {
        "0" => Acks.None,
        "1" => Acks.Leader,
        "all" or "-1" => Acks.All,
        _ => throw new ArgumentException($"--acks must be 0, 1 or all; got '{text}'."),
    };

    /// <summary>Connects, runs <paramref name="action"/> and turns its failures into one stderr line and an exit code.</summary>
    internal static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<IClusterClient, CancellationToken, Task> action) =>
        RunGuardedAsync(cancellationToken, cancel => WithClusterAsync(parse, cancel, action));

    /// <summary>Connects to the cluster named by <c>--gateway</c> (or its defaults) for the length of <paramref name="action"/>.</summary>
    internal static async Task WithClusterAsync(ParseResult parse, CancellationToken cancellationToken, Func<IClusterClient, CancellationToken, Task> action)
    {
        var gateways = parse.GetValue(Gateway)
            ?? Environment.GetEnvironmentVariable(OrkaEndpoints.GatewaysVariable)
            ?? OrkaEndpoints.DefaultGateways;
        await using var connection = await ClusterConnection.OpenAsync(gateways, cancellationToken);
        await action(connection.Client, cancellationToken);
    }

    /// <summary>Runs a command body and turns its failures into orka's exit codes and one stderr line.</summary>
    internal static async Task<int> RunGuardedAsync(CancellationToken cancellationToken, Func<CancellationToken, Task> action)
    {
        try
        {
            await action(cancellationToken);
            return 0;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"orka: {e.Message}");
            return 2;
        }
        catch (OrkaException e)
        {
            await Console.Error.WriteLineAsync($"orka: {e.Message} ({e.Code})");
            return 1;
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"orka: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"orka: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
