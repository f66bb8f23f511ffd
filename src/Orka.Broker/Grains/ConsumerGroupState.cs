namespace Orka.Broker.Grains;

[GenerateSerializer, Alias("Orka.ConsumerGroupState")]
public sealed class ConsumerGroupState
{
    /// <summary>Committed offsets by partition grain key (<c>topic/partition</c>).</summary>
    [Id(0)]
    public Dictionary<string, CommittedOffset> Offsets { get; set; } = [];
}
