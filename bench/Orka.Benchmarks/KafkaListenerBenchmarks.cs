using BenchmarkDotNet.Attributes;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orka.Client;
using Orka.Grains;
using Orka.Kafka.Hosting;
using Orka.Silo;

namespace Orka.Benchmarks;

/// <summary>
/// The Kafka listener layer: librdkafka (Confluent.Kafka) producing 8 MiB of records per operation
/// (acks=1, linger 5 ms, 64 KiB batches) to one in-process silo over its Kafka listener, against the
/// native producer (<c>OrkaProducer</c>, same settings) sending the same records to the same silo over
/// the Orleans gateway. Both run in this process beside the silo; the ratio is the Kafka path's cost
/// (wire codec, the listener, librdkafka) relative to the native one.
/// </summary>
[MemoryDiagnoser]
public class KafkaListenerBenchmarks
{
    private const int Partitions = 3;
    private const int BytesPerOp = 8 << 20;

    private WebApplication _silo = null!;
    private IHost _client = null!;
    private IProducer<Null, byte[]> _kafka = null!;
    private string _root = null!;
    private byte[] _value = null!;
    private int _records;
    private string _topic = null!;
    private int _topics;

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _root = BenchData.NewTempDirectory("kafka");
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        _silo = SiloHost.Build(
        [
            "--Orka:NodeId=0",
            $"--Orka:DataDirectory={Path.Combine(_root, "node-0")}",
            $"--Orleans:Endpoints:SiloPort={siloPort}",
            $"--Orleans:Endpoints:GatewayPort={gatewayPort}",
            $"--Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:{siloPort}",
            "--Orka:Kafka:Port=0",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _silo.StartAsync();
        var kafka = _silo.Services.GetRequiredService<KafkaBrokerDirectory>().LocalEndpoint
            ?? throw new InvalidOperationException("The silo started without its Kafka listener.");

        _client = Host.CreateDefaultBuilder()
            .UseOrleansClient(c => c.UseOrkaGateways(OrkaEndpoints.ParseGateways($"127.0.0.1:{gatewayPort}")))
            .ConfigureLogging(l => l.ClearProviders())
            .Build();
        await _client.StartAsync();

        _kafka = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = $"{kafka.Host}:{kafka.Port}",
            Acks = Confluent.Kafka.Acks.Leader,
            LingerMs = 5,
            BatchSize = 64 * 1024,
            EnableIdempotence = false,
        }).SetLogHandler((_, _) => { }).Build();

        _value = new byte[RecordSize];
        Random.Shared.NextBytes(_value);
        _records = BytesPerOp / RecordSize;
    }

    [IterationSetup]
    public void NewTopic()
    {
        _topic = $"kafka-{RecordSize}-{_topics++}";
        Client.GetGrain<ITopicGrain>(_topic).CreateAsync(new TopicSpec(_topic, Partitions)).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _kafka.Dispose();
        await _client.StopAsync();
        _client.Dispose();
        await _silo.StopAsync();
        await _silo.DisposeAsync();
        BenchData.DeleteDirectory(_root);
    }

    [Benchmark(Baseline = true)]
    public async Task NativeProducer()
    {
        await using var producer = new OrkaProducer(Client, new ProducerOptions { Acks = Orka.Acks.Leader, EnableIdempotence = false });
        for (var i = 0; i < _records; i++)
        {
            _ = producer.ProduceAsync(_topic, null, _value);
        }

        await producer.FlushAsync();
    }

    [Benchmark]
    public void LibrdkafkaProducer()
    {
        var message = new Message<Null, byte[]> { Value = _value };
        for (var i = 0; i < _records; i++)
        {
            while (true)
            {
                try
                {
                    _kafka.Produce(_topic, message);
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    _kafka.Poll(TimeSpan.FromMilliseconds(10)); // the queue is full: wait for deliveries, as Kafka's perf tool blocks
                }
            }
        }

        _kafka.Flush(TimeSpan.FromMinutes(1));
    }

    private IClusterClient Client => _client.Services.GetRequiredService<IClusterClient>();

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
