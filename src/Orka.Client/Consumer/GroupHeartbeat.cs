namespace Orka.Client.Consumer;

/// <summary>
/// The background loop that keeps a group member's session alive: every
/// <see cref="ConsumerOptions.HeartbeatInterval"/> it heartbeats the coordinator's current generation.
/// It never rejoins itself: a rebalance (RebalanceInProgress) or a fence (UnknownMemberId,
/// IllegalGeneration) of the generation it beat for is handed to the <see cref="ConsumerCoordinator"/>,
/// which wakes the read loop. Beats go on while a rebalance waits for the read loop. Runs until its
/// token is cancelled; shares no state but the coordinator's (under the coordinator's lock).
/// </summary>
internal sealed class GroupHeartbeat(ConsumerOptions options, TimeProvider time, ConsumerCoordinator coordinator, IConsumerGroupGrain group)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.HeartbeatInterval, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!coordinator.TryGetHeartbeatTarget(out var generation, out var memberId))
            {
                continue;
            }

            try
            {
                await group.HeartbeatAsync(generation, memberId);
            }
            catch (OrkaException e) when (e.Code == OrkaErrorCode.RebalanceInProgress)
            {
                if (coordinator.GenerationId == generation)
                {
                    coordinator.RequestRejoin(fenced: false);
                }
            }
            catch (OrkaException e) when (e.Code is OrkaErrorCode.UnknownMemberId or OrkaErrorCode.IllegalGeneration)
            {
                if (coordinator.GenerationId == generation)
                {
                    if (e.Code == OrkaErrorCode.UnknownMemberId)
                    {
                        coordinator.ForgetMemberId();
                    }

                    coordinator.RequestRejoin(fenced: true);
                }
            }
            catch (Exception)
            {
                // A transient failure (the cluster is unreachable for a moment): the next beat tries again;
                // if none gets through within the session timeout, the group fences this member. Or the
                // consumer is shutting down, and the loop ends at its next turn.
            }
        }
    }
}
