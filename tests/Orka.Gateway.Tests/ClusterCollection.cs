namespace Orka.Gateway.Tests;

/// <summary>API and browser tests share one node and one gateway (starting them costs seconds).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
