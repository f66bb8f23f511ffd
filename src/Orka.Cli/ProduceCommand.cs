using System.CommandLine;
using System.Text;
using Orka.Client;
using Orka.Records;

namespace Orka.Cli;

/// <summary>
/// <c>orka produce</c>: one record per line of standard input. Nothing is lost silently: each record
/// that fails is reported on stderr as it fails, with its stdin line number, and reading stops at
/// the first failure (the producer retries only when told to, with <c>--retries</c>); what was read
/// is flushed, and the last stderr line counts what was delivered and what failed. Exit 0 when every
/// record read was delivered, 1 when any failed, 130/143 when interrupted (Program.cs).
/// </summary>
internal static class ProduceCommand
{
    public static Command Build()
    {
        var topic = new Argument<string>("topic") { Description = "Topic to produce to" };
        var keySeparator = new Option<string?>("--key-separator") { Description = "Split each line at the first occurrence into key and value" };
        var fixedKey = new Option<string?>("--key", "-k") { Description = "The key of every record" };
        var partition = new Option<int?>("--partition", "-p") { Description = "Produce every record to this partition (default: the key's, or one partition per batch for records without a key)" };
        var headers = new Option<string[]>("--header", "-H") { Description = "A header key=value on every record (repeatable)" };
        var acks = new Option<string>("--acks") { Description = "0, 1 or all", DefaultValueFactory = _ => "all" };
        var retries = new Option<int>("--retries") { Description = "Send a batch again this many times on a retriable error (node restarting, timeout) before reporting its records as failed", DefaultValueFactory = _ => 0 };
        var deliveryTimeout = new Option<int>("--delivery-timeout") { Description = "Milliseconds a record may take, retries included, before it is reported as failed", DefaultValueFactory = _ => 30_000 };
        var produce = new Command("produce", "Produce one record per line of standard input; report every record not delivered (stderr, with its line number) and stop at the first")
        {
            topic, keySeparator, fixedKey, partition, headers, acks, retries, deliveryTimeout,
        };
        produce.SetAction((parse, ct) => OrkaCommands.RunAsync(parse, ct, async (client, cancel) =>
        {
            var name = parse.GetValue(topic)!;
            var separator = parse.GetValue(keySeparator);
            var key = parse.GetValue(fixedKey);
            if (separator is "")
            {
                throw new ArgumentException("--key-separator must not be empty.");
            }

            if (separator is not null && key is not null)
            {
                throw new ArgumentException("Give --key or --key-separator, not both.");
            }

            if (parse.GetValue(partition) is < 0)
            {
                throw new ArgumentException("--partition must be 0 or more.");
            }

            if (parse.GetValue(retries) < 0 || parse.GetValue(deliveryTimeout) <= 0)
            {
                throw new ArgumentException("--retries must be 0 or more and --delivery-timeout more than 0.");
            }

            var recordHeaders = ParseHeaders(parse.GetValue(headers));
            var options = new ProducerOptions
            {
                Acks = OrkaCommands.ParseAcks(parse.GetValue(acks)!),
                Retries = parse.GetValue(retries),
                DeliveryTimeout = TimeSpan.FromMilliseconds(parse.GetValue(deliveryTimeout)),
            };
            var metadata = await new OrkaAdmin(client).GetTopicAsync(name);
            if (parse.GetValue(partition) is { } p && p >= metadata.PartitionCount)
            {
                throw new CliException($"topic {name} has no partition {p} (it has {metadata.PartitionCount}).");
            }

            var fixedKeyBytes = key is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(key);
            using var report = new DeliveryReport(Console.Error);
            long lines = 0;
            await using (var producer = new OrkaProducer(client, options))
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, report.Failed);
                using var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
                try
                {
                    // A read from stdin does not end on cancellation: stop waiting for it instead.
                    while (await input.ReadLineAsync(stop.Token).AsTask().WaitAsync(stop.Token) is { } line)
                    {
                        lines++;
                        var recordKey = fixedKeyBytes;
                        var value = line;
                        if (separator is not null && line.IndexOf(separator, StringComparison.Ordinal) is var at and >= 0)
                        {
                            recordKey = Encoding.UTF8.GetBytes(line[..at]);
                            value = line[(at + separator.Length)..];
                        }

                        var valueBytes = Encoding.UTF8.GetBytes(value);
                        try
                        {
                            await report.ReserveAsync(stop.Token);
                        }
                        catch (OperationCanceledException e)
                        {
                            report.OnDelivery(null, e, lines); // read, never sent: reported like any other
                            throw;
                        }

                        try
                        {
                            // Cancelled while waiting for buffer space, the record goes to the handler too.
                            await (parse.GetValue(partition) is { } chosen
                                ? producer.EnqueueAsync(new TopicPartition(name, chosen), recordKey, valueBytes, report.OnDelivery, lines, recordHeaders, cancellationToken: stop.Token)
                                : producer.EnqueueAsync(name, recordKey, valueBytes, report.OnDelivery, lines, recordHeaders, cancellationToken: stop.Token));
                        }
                        catch (OrkaException e)
                        {
                            report.OnDelivery(null, e, lines); // refused before it was sent (e.g. too large): the handler was not called
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Interrupted or a record failed: what was read is flushed below and reported.
                }
            }

            var summary = $"{report.Delivered} records delivered to {name}, {report.FailedCount} failed, from {lines} lines read";
            if (report.FailedCount > 0)
            {
                throw new CliException($"{summary}; stopped after line {lines} at the first failure.");
            }

            await Console.Error.WriteLineAsync(cancel.IsCancellationRequested
                ? $"Produced {report.Delivered} records to {name}; interrupted after line {lines}."
                : $"Produced {report.Delivered} records to {name}.");
        }));
        return produce;
    }

    private static RecordHeader[]? ParseHeaders(string[]? pairs)
    {
        if (pairs is null or [])
        {
            return null;
        }

        return
        [
            .. pairs.Select(pair => pair.IndexOf('=') is var eq and > 0
                ? new RecordHeader(pair[..eq], Encoding.UTF8.GetBytes(pair[(eq + 1)..]))
                : throw new ArgumentException($"--header '{pair}' is not key=value.")),
        ];
    }
}
