using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orka.Client;
using Orka.Records;

namespace Orka.Sample;

/// <summary>The README sample: create a topic, produce typed JSON records with headers, consume them as a member of a group (auto-commit).</summary>
public static class OrderSample
{
    /// <summary>Runs the sample against the cluster <paramref name="connect"/> points at; returns the orders it read back.</summary>
    public static async Task<List<Order>> RunAsync(string topic, Action<OrkaClientOptions> connect, CancellationToken cancellationToken)
    {
        // --8<-- README sample starts here
        // appsettings.json beside the program sets the log levels (Orleans' information is chatter).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddOrkaClient(connect);          // e.g. o => o.Gateways = ["127.0.0.1:30000"]
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);         // connects the Orleans client

        var admin = host.Services.GetRequiredService<OrkaAdmin>();
        var orka = host.Services.GetRequiredService<OrkaClientFactory>();
        await admin.CreateTopicAsync(topic, partitions: 3);

        await using (var producer = orka.CreateProducer(Serializers.Utf8, Serializers.Json<Order>()))
        {
            var headers = new[] { new RecordHeader("source", Encoding.UTF8.GetBytes("sample")) };
            for (var i = 1; i <= 3; i++)
            {
                var order = new Order($"order-{i}", "customer-7", 12.5m * i);
                var delivery = await producer.ProduceAsync(topic, order.Id, order, headers, cancellationToken: cancellationToken);
                Console.WriteLine($"{order.Id} -> partition {delivery.Partition.Partition} offset {delivery.Offset}");
            }
        }                                                 // dispose flushes

        var received = new List<Order>();
        await using (var consumer = orka.CreateConsumer(Deserializers.Utf8, Deserializers.Json<Order>(),
            new ConsumerOptions { GroupId = "billing", AutoOffsetReset = AutoOffsetReset.Earliest }))
        {
            consumer.Consumer.PartitionsAssigned = partitions => { Console.WriteLine($"assigned {partitions.Count} partitions"); return Task.CompletedTask; };
            consumer.Consumer.Subscribe(topic);           // join the group; the group assigns the partitions
            await foreach (var record in consumer.ConsumeAsync(cancellationToken))
            {
                received.Add(record.Value!);              // … process; auto-commit (every 5 s, before a revocation)
                if (received.Count == 3)                  // commits what the loop moved past
                {
                    break;
                }
            }
        
            await consumer.Consumer.CommitAsync(cancellationToken); // the last record too: the loop never moved past it
        }                                                 // dispose leaves the group

        await host.StopAsync(cancellationToken);
        // --8<-- README sample ends here
        return received;
    }
}
