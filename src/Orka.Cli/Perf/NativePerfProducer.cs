using Orka.Client;

namespace Orka.Cli.Perf;

/// <summary>A perf producer over the native client (Orleans grain calls).</summary>
internal sealed class NativePerfProducer(IClusterClient client, string topic, ProducerOptions options) : IPerfProducer
{
    private readonly OrkaProducer _producer = new(client, options);

    public void Send(ReadOnlyMemory<byte> value, PerfSend sent)
    {
        var delivery = _producer.ProduceAsync(topic, null, value);
        if (delivery.IsCompleted)
        {
            sent.Done(delivery.Exception?.GetBaseException());
        }
        else
        {
            _ = delivery.ContinueWith(
                static (t, state) => ((PerfSend)state!).Done(t.Exception?.GetBaseException()),
                sent,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    public Task FlushAsync() => _producer.FlushAsync();

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
