using Orka.Client;

namespace Orka.Cli.Perf;

/// <summary>A perf producer over the native client (Orleans grain calls).</summary>
internal sealed class NativePerfProducer(IClusterClient client, string topic, ProducerOptions options) : IPerfProducer
{
    private readonly OrkaProducer _producer = new(client, options);

    public void Send(ReadOnlyMemory<byte> value, PerfSend sent)
    {
        // The callback overload: no task per record. The run's own window bounds what is outstanding,
        // so acceptance is immediate unless the producer's buffer (BufferMemory) is smaller.
        var accepted = _producer.EnqueueAsync(topic, null, value, sent.OnDelivery);
        if (!accepted.IsCompletedSuccessfully)
        {
            _ = WaitAcceptedAsync(accepted);
        }
    }

    private static async Task WaitAcceptedAsync(ValueTask accepted)
    {
        try
        {
            await accepted;
        }
        catch (Exception e) when (e is OrkaException or OperationCanceledException)
        {
            // The handler got the same error.
        }
    }

    public Task FlushAsync() => _producer.FlushAsync();

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
