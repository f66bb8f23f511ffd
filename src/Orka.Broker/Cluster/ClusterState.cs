namespace Orka.Broker.Cluster;

[GenerateSerializer, Alias("Orka.ClusterState")]
public sealed class ClusterState
{
    /// <summary>Every topic's name, sorted ordinally.</summary>
    [Id(0)]
    public List<string> Topics { get; set; } = [];

    /// <summary>Deleted topics, oldest first, kept so that nodes that were down can catch up.</summary>
    [Id(1)]
    public List<DeletedTopic> Deleted { get; set; } = [];

    /// <summary>Every consumer group id that has had a member or a commit, sorted ordinally.</summary>
    [Id(2)]
    public List<string> Groups { get; set; } = [];
}
