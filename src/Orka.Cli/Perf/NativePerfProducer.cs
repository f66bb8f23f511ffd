using Orka.Client;

namespace Orka.Cli.Perf;

/// <summary>A perf producer over the native client (Orleans grain calls).</summary>
internal sealed class NativePerfProducer(IClusterClient client, string topic, ProducerOptions options) : IPerfProducer
{
    private readonly OrkaProducer _producer = new(client, options);

    public Task SendAsync(ReadOnlyMemory<byte> value) => _producer.ProduceAsync(topic, null, value);

    public Task FlushAsync() => _producer.FlushAsync();

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
