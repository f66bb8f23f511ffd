namespace Orka.Client.Producer;

/// <summary>
/// Receives one record's outcome, once: the task of a <c>ProduceAsync</c> (<see cref="TaskSink"/>) or
/// the handler of a record that had to wait for buffer space or metadata (<see cref="CallbackSink"/>).
/// A record on the common path with a handler needs none: its <see cref="Waiter"/> holds the handler.
/// </summary>
internal interface IDeliverySink
{
    bool IsCompleted { get; }

    void Succeed(DeliveryResult result);

    void Fail(Exception error);
}

/// <summary>The task of <c>ProduceAsync</c> and <c>EnqueueAsync</c>; continuations run on the thread pool, never inside the producer's lock.</summary>
internal sealed class TaskSink() : TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously), IDeliverySink
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
/// for buffer space or metadata, which needs to be told apart as completed (a flush waits for it).
/// Invokes the handler at most once.
/// </summary>
internal sealed class CallbackSink(object handler, long state) : IDeliverySink
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

        new Waiter(handler, 0, state).Report(result, error);
    }
}
