using Orka.Records;

namespace Orka.Client;

/// <summary>Where a record's outcome goes: a task (ProduceAsync) or a callback (EnqueueAsync with a handler).</summary>
public sealed partial class OrkaProducer
{
    /// <summary>
    /// Reports a record's outcome to its sink: an <see cref="IDeliverySink"/> (a task, or the handler
    /// of a record that had to wait) or the caller's handler itself, kept as is (with the caller's
    /// number for the record) so that a record taking the common path costs no object of its own.
    /// Called once per record, by the batch's send; what a handler throws is swallowed (one handler
    /// cannot keep the batch's other records from being reported).
    /// </summary>
    private static void Deliver(Waiter waiter, DeliveryResult? result, Exception? error)
    {
        if (waiter.Sink is IDeliverySink delivery)
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
            if (waiter.Sink is Action<DeliveryResult?, Exception?, long> withState)
            {
                withState(result, error, waiter.State);
            }
            else
            {
                ((Action<DeliveryResult?, Exception?>)waiter.Sink)(result, error);
            }
        }
#pragma warning disable CA1031 // a handler's failure is the caller's; the producer must go on
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Receives one record's outcome, once.</summary>
    private interface IDeliverySink
    {
        bool IsCompleted { get; }

        void Succeed(DeliveryResult result);

        void Fail(Exception error);
    }

    /// <summary>The task of <see cref="ProduceAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, DateTimeOffset?, CancellationToken)"/>; continuations run on the thread pool, never inside the producer.</summary>
    private sealed class TaskSink() : TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously), IDeliverySink
    {
        public bool IsCompleted => Task.IsCompleted;

        public void Succeed(DeliveryResult result) => TrySetResult(result);

        public void Fail(Exception error)
        {
            if (error is OperationCanceledException canceled)
            {
                TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                TrySetException(error);
            }
        }
    }

    /// <summary>
    /// The caller's delivery handler (and its number for the record) of a record that had to wait
    /// for buffer space or metadata, which needs to be told apart as completed (<see cref="FlushAsync"/>).
    /// </summary>
    private sealed class CallbackSink(object handler, long state) : IDeliverySink
    {
        private int _done;

        public bool IsCompleted => Volatile.Read(ref _done) != 0;

        public void Succeed(DeliveryResult result) => Invoke(result, null);

        public void Fail(Exception error) => Invoke(null, error);

        private void Invoke(DeliveryResult? result, Exception? error)
        {
            if (Interlocked.Exchange(ref _done, 1) != 0)
            {
                return;
            }

            Deliver(new Waiter(handler, 0, state), result, error);
        }
    }
}
