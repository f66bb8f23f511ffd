namespace Orka.Broker.Groups;

/// <summary>
/// The JoinGroup or SyncGroup calls a <see cref="ConsumerGroupGrain"/> holds open, by the ticket its
/// <see cref="ClassicGroup"/> parked each under. A call waits at most <see cref="ConsumerGroupGrain.MaxWait"/>
/// (under Orleans' 30 s response timeout); then it fails with REBALANCE_IN_PROGRESS, the caller sends
/// it again and the member keeps its place in the rebalance.
/// </summary>
/// <remarks>Used inside the grain's turns only. A ticket answered after its call gave up is ignored.</remarks>
internal sealed class ParkedCalls<TResult>(string groupId, TimeProvider time)
{
    private readonly Dictionary<long, TaskCompletionSource<TResult>> _waiting = [];

    /// <summary>Holds a call open under <paramref name="ticket"/>; register it before applying the changes that came with it.</summary>
    public TaskCompletionSource<TResult> Park(long ticket)
    {
        var waiter = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[ticket] = waiter;
        return waiter;
    }

    public bool TryComplete(long ticket, TResult result) => _waiting.Remove(ticket, out var waiter) && waiter.TrySetResult(result);

    public bool TryFail(long ticket, Exception error) => _waiting.Remove(ticket, out var waiter) && waiter.TrySetException(error);

    /// <summary>The call's answer, or REBALANCE_IN_PROGRESS after the longest wait (<paramref name="gaveUp"/> then tells the group).</summary>
    public async Task<TResult> WaitAsync(long ticket, TaskCompletionSource<TResult> waiter, Action gaveUp)
    {
        try
        {
            return await waiter.Task.WaitAsync(ConsumerGroupGrain.MaxWait, time);
        }
        catch (TimeoutException)
        {
            if (waiter.Task.IsCompleted)
            {
                // Answered in the same instant the wait ran out.
                return await waiter.Task;
            }

            _waiting.Remove(ticket);
            gaveUp();
            throw new OrkaException(OrkaErrorCode.RebalanceInProgress, $"Group '{groupId}' is still rebalancing after {ConsumerGroupGrain.MaxWait}; send the request again.");
        }
    }
}
