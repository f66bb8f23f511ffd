using Orka.Kafka.Protocol;

namespace Orka.Kafka.Apis;

/// <summary>DescribeCluster (key 60) v0: the live brokers, the cluster id and the controller (lowest live node id).</summary>
public sealed class DescribeClusterApi(KafkaApiContext context) : KafkaApi
{
    public override ApiKey Key => ApiKey.DescribeCluster;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    public override short FirstFlexibleVersion => 0;

    public override async ValueTask<bool> HandleAsync(RequestHeader header, KafkaReader request, KafkaWriter response, CancellationToken cancellationToken)
    {
        _ = request.ReadBool(); // include cluster authorized operations
        request.SkipTaggedFields();
        var brokers = await context.Brokers.GetLiveBrokersAsync();

        response.WriteInt32(0); // throttle
        response.WriteInt16(0);
        response.WriteNullableString(null);
        response.WriteString(context.Brokers.ClusterId);
        response.WriteInt32(brokers.IsEmpty ? -1 : brokers.Min(b => b.NodeId));
        response.WriteArray(brokers, (w, b) =>
        {
            w.WriteInt32(b.NodeId);
            w.WriteString(b.Host);
            w.WriteInt32(b.Port);
            w.WriteNullableString(null); // rack
            w.WriteEmptyTaggedFields();
        });
        response.WriteInt32(int.MinValue); // authorized operations: not computed
        response.WriteEmptyTaggedFields();
        return true;
    }
}
