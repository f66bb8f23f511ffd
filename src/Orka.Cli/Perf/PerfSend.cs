namespace Orka.Cli.Perf;

/// <summary>One record of a perf run in flight: when it was sent, and where its outcome goes.</summary>
internal sealed class PerfSend(Action<long, Exception?> completed, long start)
{
    /// <summary>Reports the record acknowledged (<paramref name="error"/> null) or failed.</summary>
    public void Done(Exception? error) => completed(start, error);

    /// <summary>The native producer's delivery handler.</summary>
    public void OnDelivery(Orka.Client.DeliveryResult? result, Exception? error) => completed(start, error);
}
