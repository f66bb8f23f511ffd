namespace Orka.Broker.Grains;

[GenerateSerializer, Alias("Orka.ClusterState")]
public sealed class ClusterState
{
    /// <summary>Every topic's name, sorted ordinally.</summary>
    [Id(0)]
    public List<string> Topics { get; set; } = [];
}
