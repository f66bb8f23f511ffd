using System.Collections.Immutable;

namespace Orka.Broker.Tests;

/// <summary>
/// State written by the release before partition assignments existed (topic metadata with a node per
/// partition, a consumer group's commits, partition logs), kept under
/// <c>Fixtures/state-before-assignments</c> exactly as that release wrote it: two nodes, topic
/// <c>legacy</c> with 3 partitions on nodes 0, 1, 0, five records in each, group <c>legacy-group</c>.
/// </summary>
public sealed class StateCompatibilityTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("orka-compat-").FullName;

    public Task InitializeAsync()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "state-before-assignments");
        foreach (var file in Directory.GetFiles(fixture, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_root, Path.GetRelativePath(fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    // Intent: the new code reads the earlier state: each partition's node becomes its single-replica assignment
    // (leader, epoch 0), records and commits are all there, and state written again survives a restart.
    [Fact]
    public async Task EarlierState_ReadByThisRelease_TopicRecordsAndCommitsIntact()
    {
        TopicMetadata metadata;
        await using (var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 2))
        {
            // 1. The topic, its assignments and config.
            metadata = (await cluster.Client.GetGrain<ITopicGrain>("legacy").GetMetadataAsync())!;
            Assert.NotNull(metadata);
            Assert.Equal([PartitionAssignment.OnNode(0), PartitionAssignment.OnNode(1), PartitionAssignment.OnNode(0)], metadata.Assignments.ToArray());
            Assert.Equal("86400000", metadata.Config["retention.ms"]);
            Assert.Contains("legacy", await cluster.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).ListTopicsAsync());

            // 2. Every record, each partition served by its node.
            for (var p = 0; p < 3; p++)
            {
                var fetched = await cluster.Client.GetPartitionGrain("legacy", p).FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
                Assert.Equal(Enumerable.Range(0, 5).Select(i => $"legacy-{p}-{i}"), Batches.Values(fetched.Batches));
            }

            // 3. The group's commits.
            var committed = await cluster.Client.GetGrain<IConsumerGroupGrain>("legacy-group").GetCommittedAsync("legacy");
            Assert.Equal(
                [(0, 3L, (string?)"m"), (2, 5L, null)],
                committed.OrderBy(c => c.Partition.Partition).Select(c => (c.Partition.Partition, c.Offset, c.Metadata)));

            // 4. A change writes the topic in this release's format.
            await cluster.Client.GetGrain<ITopicGrain>("legacy").AlterConfigAsync(ImmutableDictionary<string, string>.Empty.Add("retention.ms", "3600000"));
        }

        // 5. That state is read back after a full restart.
        await using (var cluster = await ClusterFixture.StartClusterAsync(_root, silos: 2))
        {
            var again = (await cluster.Client.GetGrain<ITopicGrain>("legacy").GetMetadataAsync())!;
            Assert.Equal(metadata.TopicId, again.TopicId);
            Assert.Equal(metadata.Assignments.ToArray(), again.Assignments.ToArray());
            Assert.Equal("3600000", again.Config["retention.ms"]);
            var appended = await cluster.Client.GetPartitionGrain("legacy", 1).ProduceAsync(Batches.Of("after"), Acks.All);
            Assert.Equal(5, appended.BaseOffset);
        }
    }
}
