using System.CommandLine;
using System.Globalization;
using Orka.Client;

namespace Orka.Cli;

/// <summary>
/// <c>orka consume</c>: prints records as they arrive (live on a terminal, buffered into a pipe; see
/// <see cref="RecordPrinter"/>). With <c>--group</c> it is a member of the group and commits what it
/// has printed every <see cref="CommitInterval"/>, and once more when it stops, so a crash loses at
/// most that interval and <c>orka groups describe</c> shows the lag of what was really printed.
/// Ctrl+C and SIGTERM stop it cleanly: flush, commit, leave the group (exit 130/143, Program.cs).
/// </summary>
internal static class ConsumeCommand
{
    /// <summary>How often a group's printed offsets are committed while consuming.</summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(2);

    /// <summary>How often buffered output (stdout not a terminal) is flushed.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    public static Command Build()
    {
        var topic = new Argument<string>("topic") { Description = "Topic to consume from" };
        var group = new Option<string?>("--group") { Description = "Consumer group: join it, start at its committed offsets and commit what was printed (every 2 s and on exit)" };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the earliest offset when there is no committed offset (default: only new records)" };
        var partitions = new Option<string[]>("--partition", "-p") { Description = "Read only these partitions (repeatable or comma-separated; not with --group)" };
        var offset = new Option<string?>("--offset", "-o") { Description = "Where to start each partition (not with --group): an offset, start, end, @<ms since the epoch or ISO timestamp>, or -<N>s|m|h|d for the records of that long ago" };
        var format = new Option<string?>("--format", "-f") { Description = RecordFormat.Help };
        var maxMessages = new Option<long>("--max-messages") { Description = "Exit after this many records", DefaultValueFactory = _ => long.MaxValue };
        var timeout = new Option<int>("--timeout-ms") { Description = "Exit when no record arrives for this long", DefaultValueFactory = _ => -1 };
        var printKey = new Option<bool>("--print-key") { Description = "Print key<TAB>value" };
        var consume = new Command("consume", "Print records to standard output, one value per line")
        {
            topic, group, fromBeginning, partitions, offset, format, maxMessages, timeout, printKey,
        };
        consume.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, cancel) =>
        {
            var groupId = parse.GetValue(group);
            var chosen = ParsePartitions(parse.GetValue(partitions));
            var start = parse.GetValue(offset) is { } o ? StartOffset.Parse(o, TimeProvider.System) : null;
            var recordFormat = RecordFormat.Parse(parse.GetValue(format), parse.GetValue(printKey));
            if (groupId is not null)
            {
                Names.ValidateGroupId(groupId);
                if (chosen is not null || start is not null)
                {
                    throw new ArgumentException("--partition and --offset read without a group; a group starts at its committed offsets (move them with 'orka groups reset-offsets').");
                }
            }

            // Offsets are committed here, of what was printed: the consumer's own auto-commit would
            // commit what it delivered, which may still sit in the output buffer.
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
            var admin = new OrkaAdmin(client);
            var metadata = await admin.GetTopicAsync(topicName);
            if (groupId is null)
            {
                if (chosen?.Where(p => p >= metadata.PartitionCount).ToList() is [var missing, ..])
                {
                    throw new CliException($"topic {topicName} has no partition {missing} (it has {metadata.PartitionCount}).");
                }

                consumer.Assign((chosen ?? Enumerable.Range(0, metadata.PartitionCount)).Select(p => new TopicPartition(topicName, p)));
                if (start is not null)
                {
                    await start.SeekAsync(consumer, admin, topicName);
                }
            }
            else
            {
                consumer.Subscribe(topicName);
            }

            var limit = parse.GetValue(maxMessages);
            var idle = parse.GetValue(timeout);
            using var printer = new RecordPrinter(Console.OpenStandardOutput(), recordFormat, live: !Console.IsOutputRedirected);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var background = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var flushing = FlushPeriodicallyAsync(printer, background.Token);
            var committing = groupId is null ? Task.CompletedTask : CommitPeriodicallyAsync(consumer, printer, background.Token);
            try
            {
                if (idle >= 0)
                {
                    stop.CancelAfter(idle);
                }

                if (limit > 0)
                {
                    await foreach (var record in consumer.ConsumeAsync(stop.Token))
                    {
                        printer.Write(record);
                        if (printer.Count >= limit)
                        {
                            break;
                        }

                        if (idle >= 0)
                        {
                            stop.CancelAfter(idle);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Idle timeout, Ctrl+C or SIGTERM: flush and commit below.
            }
            finally
            {
                await background.CancelAsync();
                await Task.WhenAll(flushing, committing);
            }

            printer.Flush();
            // A partition with nothing printed commits where it stands (nothing before it was
            // skipped), as Kafka's consumer does, so the group shows an offset for every partition.
            var printed = printer.Printed();
            var untouched = consumer.Assignment
                .Where(tp => printed.All(p => p.Partition != tp) && consumer.Position(tp) >= 0)
                .Select(tp => new CommittedOffset(tp, consumer.Position(tp)));
            await consumer.CommitAsync([.. printed, .. untouched], CancellationToken.None);
            await Console.Error.WriteLineAsync($"Processed a total of {printer.Count} messages");
        }));
        return consume;
    }

    private static int[]? ParsePartitions(string[]? values)
    {
        if (values is null or [])
        {
            return null;
        }

        var list = new List<int>();
        foreach (var part in values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                throw new ArgumentException($"--partition must be partition numbers (0, 1, … or 0,2); got '{part}'.");
            }

            list.Add(p);
        }

        return [.. list.Distinct()];
    }

    private static async Task FlushPeriodicallyAsync(RecordPrinter printer, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                printer.Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // The command is ending; it flushes once more itself.
        }
        catch (IOException)
        {
            // The output's reader has gone; the consume loop finds out when it next writes.
        }
    }

    private static async Task CommitPeriodicallyAsync(OrkaConsumer consumer, RecordPrinter printer, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(CommitInterval);
        IReadOnlyList<CommittedOffset> committed = [];
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var printed = printer.Printed();
                if (printed.SequenceEqual(committed))
                {
                    continue;
                }

                try
                {
                    await consumer.CommitAsync(printed, cancellationToken);
                    committed = printed;
                }
                catch (OrkaException e)
                {
                    // A rebalance under way: the next tick (or the final commit) tries again.
                    await Console.Error.WriteLineAsync($"orka: commit of printed offsets failed, retrying: {e.Message} ({e.Code})");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The command is ending; it commits once more itself.
        }
    }
}
