namespace Orka.Client.Producer;

/// <summary>
/// One record of a batch, kept as a struct in the batch's waiter list so that a record taking the
/// common path costs no object of its own: where its outcome goes (<see cref="Sink"/>: an
/// <see cref="IDeliverySink"/>, or the caller's handler itself), its timestamp, and the caller's
/// number for it (<see cref="State"/>, given to a handler that takes one).
/// </summary>
internal readonly record struct Waiter(object Sink, long Timestamp, long State)
{
    /// <summary>
    /// Reports the record's outcome (<paramref name="error"/> null on success). Called once per
    /// record, by its batch's send; what a handler throws is swallowed, so one handler cannot keep
    /// the batch's other records from being reported.
    /// </summary>
    public void Report(DeliveryResult? result, Exception? error)
    {
        if (Sink is IDeliverySink delivery)
        {
            if (error is null)
            {
                delivery.Succeed(result!);
            }
            else
            {
                delivery.Fail(error);
            }

            return;
        }

        try
        {
            if (Sink is Action<DeliveryResult?, Exception?, long> withState)
            {
                withState(result, error, State);
            }
            else
            {
                ((Action<DeliveryResult?, Exception?>)Sink)(result, error);
            }
        }
#pragma warning disable CA1031 // a handler's failure is the caller's; the producer must go on
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
