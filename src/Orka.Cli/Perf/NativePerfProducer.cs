using Orka.Client;

namespace Orka.Cli.Perf;

/// <summary>A perf producer over the native client (Orleans grain calls).</summary>
internal sealed class NativePerfProducer(IClusterClient client, string topic, ProducerOptions options) : IPerfProducer
{
    private readonly OrkaProducer _producer = new(client, options);
    private Action<long, Exception?>? _completed;
    private Action<DeliveryResult?, Exception?, long>? _onDelivery;

    public void Send(ReadOnlyMemory<byte> value, long sentAt, Action<long, Exception?> completed)
    {
        if (!ReferenceEquals(completed, _completed))
        {
            _completed = completed;
            _onDelivery = (_, error, sent) => completed(sent, error);
        }

        // The callback overload with the send time as the record's number: one handler for the run,
        // no task and no object per record. The run's own window bounds what is outstanding, so
        // acceptance is immediate unless the producer's buffer (BufferMemory) is smaller.
        var accepted = _producer.EnqueueAsync(topic, null, value, _onDelivery!, sentAt);
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
