using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Orka.Kafka.Hosting;

/// <summary>
/// What this silo tells Kafka clients about brokers: its own node id and endpoint, and the live
/// brokers (registered endpoints of nodes whose silo Orleans membership reports active).
/// </summary>
/// <remarks>
/// The registered endpoints are cached; the cache is refreshed when a live node is missing from it
/// (a node that just started) and otherwise every <see cref="RefreshInterval"/>, so a Metadata
/// request costs one membership snapshot and, mostly, no grain call.
/// </remarks>
public sealed class KafkaBrokerDirectory(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IOptions<ClusterOptions> cluster,
    TimeProvider time)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private ImmutableArray<KafkaEndpoint> _registered = [];
    private long _registeredAt = long.MinValue;

    /// <summary>This silo's node id, which is its Kafka broker id (announced in its silo name, see <see cref="NodeNames"/>).</summary>
    public int LocalNodeId { get; } = NodeNames.TryParseSiloName(silo.Name, out var nodeId)
        ? nodeId
        : throw new InvalidOperationException($"The silo name '{silo.Name}' does not carry an Orka node id; the Kafka listener runs only in a silo set up by AddOrka.");

    /// <summary>The cluster id clients see (the Orleans cluster id).</summary>
    public string ClusterId => cluster.Value.ClusterId;

    /// <summary>This silo's advertised endpoint; null until the listener is bound.</summary>
    public KafkaEndpoint? LocalEndpoint { get; internal set; }

    /// <summary>The node ids of active silos.</summary>
    public ImmutableHashSet<int> LiveNodeIds()
    {
        var live = ImmutableHashSet.CreateBuilder<int>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && NodeNames.TryParseSiloName(member.Name, out var nodeId))
            {
                live.Add(nodeId);
            }
        }

        return live.ToImmutable();
    }

    /// <summary>The brokers to advertise: live nodes with a registered endpoint, by node id; this silo always included.</summary>
    public async Task<ImmutableArray<KafkaEndpoint>> GetLiveBrokersAsync()
    {
        var live = LiveNodeIds();
        var registered = _registered;
        var stale = time.GetElapsedTime(_registeredAt) > RefreshInterval;
        if (stale || live.Any(id => id != LocalNodeId && !registered.Any(e => e.NodeId == id)))
        {
            registered = await grains.GetGrain<IKafkaEndpointRegistryGrain>(IKafkaEndpointRegistryGrain.Key).ListAsync();
            _registered = registered;
            _registeredAt = time.GetTimestamp();
        }

        var brokers = registered.Where(e => e.NodeId != LocalNodeId && live.Contains(e.NodeId)).ToList();
        if (LocalEndpoint is { } local)
        {
            brokers.Add(local);
        }

        return [.. brokers.OrderBy(e => e.NodeId)];
    }
}
