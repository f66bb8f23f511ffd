using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Kafka.Hosting;

namespace Orka.Kafka.Apis;

/// <summary>What every API handler needs: the grains, this broker's view of the cluster, options.</summary>
public sealed class KafkaApiContext(
    IGrainFactory grains,
    KafkaBrokerDirectory brokers,
    TopicMetadataCache topics,
    IOptions<KafkaListenerOptions> options,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    public IGrainFactory Grains { get; } = grains;

    public KafkaBrokerDirectory Brokers { get; } = brokers;

    public TopicMetadataCache Topics { get; } = topics;

    public KafkaListenerOptions Options => options.Value;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = loggerFactory.CreateLogger("Orka.Kafka");

    /// <summary>
    /// The Kafka error code for a failed grain call: an <see cref="OrkaException"/> carries its own;
    /// a silo that went away means the partition's leader is elsewhere or down (clients refresh
    /// metadata); a timeout is REQUEST_TIMED_OUT; anything else is logged as UNKNOWN_SERVER_ERROR.
    /// </summary>
    public OrkaErrorCode ErrorOf(Exception e)
    {
        switch (e)
        {
            case OrkaException orka:
                return orka.Code;
            case TimeoutException:
                return OrkaErrorCode.RequestTimedOut;
            case SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException:
                return OrkaErrorCode.NotLeaderOrFollower;
            default:
                Logger.LogWarning(e, "A Kafka request failed unexpectedly");
                return OrkaErrorCode.UnknownServerError;
        }
    }

    /// <summary>
    /// Why this silo cannot serve <paramref name="partition"/> of <paramref name="metadata"/>, or
    /// <see cref="OrkaErrorCode.None"/> when it leads it (Kafka clients send a partition's produce
    /// and fetch requests to its leader); decided by <see cref="PartitionLeadership.LocalError"/>.
    /// </summary>
    public OrkaErrorCode LeadershipError(TopicMetadata? metadata, int partition) =>
        PartitionLeadership.LocalError(metadata, partition, Brokers.LocalNodeId);
}
