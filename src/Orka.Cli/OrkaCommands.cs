using System.CommandLine;
using System.Text;
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
        root.Subcommands.Add(ProduceCommand());
        root.Subcommands.Add(ConsumeCommand());
        root.Subcommands.Add(GroupCommands.Build());
        root.Subcommands.Add(ClusterCommands.Nodes());
        root.Subcommands.Add(ClusterCommands.Cluster());
        root.Subcommands.Add(PerfCommands.Build());
        root.Subcommands.Add(CompletionCommand.Build());
        return root;
    }

    private static Command ProduceCommand()
    {
        var topic = new Argument<string>("topic") { Description = "Topic to produce to" };
        var keySeparator = new Option<string?>("--key-separator") { Description = "Split each line at the first occurrence into key and value" };
        var acks = new Option<string>("--acks") { Description = "0, 1 or all", DefaultValueFactory = _ => "all" };
        var produce = new Command("produce", "Produce one record per line of standard input") { topic, keySeparator, acks };
        produce.SetAction((parse, ct) => RunAsync(parse, ct, async (client, cancel) =>
        {
            var name = parse.GetValue(topic)!;
            var separator = parse.GetValue(keySeparator);
            if (separator is "")
            {
                throw new ArgumentException("--key-separator must not be empty.");
            }

            var options = new ProducerOptions { Acks = ParseAcks(parse.GetValue(acks)!) };
            await new OrkaAdmin(client).GetTopicAsync(name);
            await using var producer = new OrkaProducer(client, options);
            var pending = new List<Task<DeliveryResult>>();
            using var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
            while (await input.ReadLineAsync(cancel) is { } line)
            {
                byte[]? key = null;
                var value = line;
                if (separator is not null && line.IndexOf(separator, StringComparison.Ordinal) is var at and >= 0)
                {
                    key = Encoding.UTF8.GetBytes(line[..at]);
                    value = line[(at + separator.Length)..];
                }

                pending.Add(producer.ProduceAsync(name, key, Encoding.UTF8.GetBytes(value)));
            }

            await producer.FlushAsync();
            await Task.WhenAll(pending);
            await Console.Error.WriteLineAsync($"Produced {pending.Count} records to {name}.");
        }));
        return produce;
    }

    private static Command ConsumeCommand()
    {
        var topic = new Argument<string>("topic") { Description = "Topic to consume from" };
        var group = new Option<string?>("--group") { Description = "Consumer group: join it, start at its committed offsets and commit what was printed" };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the earliest offset when there is no committed offset (default: only new records)" };
        var maxMessages = new Option<long>("--max-messages") { Description = "Exit after this many records", DefaultValueFactory = _ => long.MaxValue };
        var timeout = new Option<int>("--timeout-ms") { Description = "Exit when no record arrives for this long", DefaultValueFactory = _ => -1 };
        var printKey = new Option<bool>("--print-key") { Description = "Print key<TAB>value" };
        var consume = new Command("consume", "Print records to standard output, one value per line") { topic, group, fromBeginning, maxMessages, timeout, printKey };
        consume.SetAction((parse, ct) => RunAsync(parse, ct, async (client, cancel) =>
        {
            var groupId = parse.GetValue(group);
            if (groupId is not null)
            {
                Names.ValidateGroupId(groupId);
            }

            // With a group the command joins it (and shows in `orka groups describe`); it commits
            // itself at the end, so auto-commit is off.
            await using var consumer = new OrkaConsumer(client, new ConsumerOptions
            {
                GroupId = groupId,
                ClientId = "orka-cli",
                EnableAutoCommit = false,
                SessionTimeout = TimeSpan.FromSeconds(10),
                HeartbeatInterval = TimeSpan.FromSeconds(1),
                MaxPollInterval = TimeSpan.FromSeconds(30),
                AutoOffsetReset = parse.GetValue(fromBeginning) ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
            });
            var topicName = parse.GetValue(topic)!;
            if (groupId is null)
            {
                await consumer.AssignAsync(topicName);
            }
            else
            {
                await new OrkaAdmin(client).GetTopicAsync(topicName);
                consumer.Subscribe(topicName);
            }

            var limit = parse.GetValue(maxMessages);
            var idle = parse.GetValue(timeout);
            var withKey = parse.GetValue(printKey);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            if (idle >= 0)
            {
                stop.CancelAfter(idle);
            }

            await using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
            long count = 0;
            if (limit > 0)
            {
                await foreach (var record in consumer.ConsumeAsync(stop.Token))
                {
                    if (withKey)
                    {
                        await output.WriteAsync(record.Key is { } k ? Encoding.UTF8.GetString(k.Span) : "null");
                        await output.WriteAsync('\t');
                    }

                    await output.WriteLineAsync(record.Value is { } v ? Encoding.UTF8.GetString(v.Span) : "null");
                    if (++count >= limit)
                    {
                        break;
                    }

                    if (idle >= 0)
                    {
                        stop.CancelAfter(idle);
                    }
                }
            }

            await output.FlushAsync(CancellationToken.None);
            await consumer.CommitAsync();
            await Console.Error.WriteLineAsync($"Processed a total of {count} messages");
        }));
        return consume;
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
