namespace Orka;

/// <summary>Facts about <see cref="OrkaErrorCode"/> values that every surface needs.</summary>
public static class OrkaErrors
{
    /// <summary>
    /// True when the same request may succeed if retried later (Kafka's RetriableException set):
    /// the partition's node is down or moving, the request timed out, a rebalance is under way.
    /// </summary>
    public static bool IsRetriable(OrkaErrorCode code) => code is
        OrkaErrorCode.LeaderNotAvailable or
        OrkaErrorCode.NotLeaderOrFollower or
        OrkaErrorCode.RequestTimedOut or
        OrkaErrorCode.CoordinatorNotAvailable or
        OrkaErrorCode.NotCoordinator or
        OrkaErrorCode.RebalanceInProgress or
        OrkaErrorCode.CorruptMessage or
        OrkaErrorCode.KafkaStorageError;
}
