namespace Orka.Broker.Metadata;

/// <summary>Names of the grain-state storage the broker's grains use.</summary>
public static class OrkaStorage
{
    /// <summary>The storage provider for cluster metadata (topics, groups). Small state only.</summary>
    public const string Name = "orka-metadata";
}
