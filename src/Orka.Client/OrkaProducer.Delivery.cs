using Orka.Storage;

namespace Orka.Client;

/// <summary>Where a record's outcome goes: a task (ProduceAsync) or a callback (EnqueueAsync with a handler).</summary>
public sealed partial class OrkaProducer
{
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
    /// A caller's delivery handler, invoked on the thread that completed the batch, in the order of
    /// the partition's records. What it throws is swallowed: one handler cannot break the producer
    /// or keep the batch's other records from being reported.
    /// </summary>
    private sealed class CallbackSink(Action<DeliveryResult?, Exception?> handler) : IDeliverySink
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

            try
            {
                handler(result, error);
            }
#pragma warning disable CA1031 // a handler's failure is the caller's; the producer must go on
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
