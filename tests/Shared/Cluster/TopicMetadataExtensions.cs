using System.Collections.Immutable;

namespace Orka.Tests;

/// <summary>What tests ask of a topic's assignments (test projects that set OrkaClusterTestHelpers).</summary>
internal static class TopicMetadataExtensions
{
    /// <summary>The leader of each partition, by partition.</summary>
    public static ImmutableArray<int> Leaders(this TopicMetadata metadata) => [.. metadata.Assignments.Select(a => a.Leader)];
}
