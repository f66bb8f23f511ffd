using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.TestingHost;

namespace Orka.Broker.Tests;

/// <summary>A node whose data directory is on a real, tiny file system (tmpfs) that fills up.</summary>
public sealed class StorageSpaceTests
{
    // Intent: a full disk makes produce fail with a retriable storage error naming the data
    // directory and /health Degraded with the partition; once space is freed, produce succeeds on the
    // same activation, /health is Healthy again and every acknowledged record is readable.
    [Fact]
    public async Task Produce_DiskFullThenSpaceFreed_RetriableErrorDegradedHealthThenRecovers()
    {
        using var disk = new SmallFileSystem(sizeKiB: 4096);
        await using var cluster = await ClusterFixture.StartClusterAsync(disk.Path, silos: 1);
        await cluster.Client.GetGrain<ITopicGrain>("full").CreateAsync(new TopicSpec("full", 1));
        var partition = cluster.Client.GetGrain<IPartitionGrain>(new TopicPartition("full", 0).ToGrainKey());
        var health = ((InProcessSiloHandle)cluster.Primary!).SiloHost.Services.GetRequiredService<HealthCheckService>();
        var acknowledged = new List<string> { "first" };
        await partition.ProduceAsync(Batches.Of("first"), Acks.All);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["storage-space"].Status);

        // 1. Fill the disk: produce fails with KAFKA_STORAGE_ERROR, retriable, naming the data directory.
        var filler = disk.Fill();
        OrkaException? full = null;
        var padding = new string('x', 4000);
        for (var i = 0; i < 50 && full is null; i++)
        {
            try
            {
                await partition.ProduceAsync(Batches.Of($"filling{i}{padding}"), Acks.All);
                acknowledged.Add($"filling{i}{padding}"); // the disk's last pages may take a few
            }
            catch (OrkaException e)
            {
                full = e;
            }
        }

        Assert.NotNull(full);
        Assert.Equal(OrkaErrorCode.KafkaStorageError, full.Code);
        Assert.True(full.IsRetriable);
        Assert.Contains($"No space left on device on {Path.Combine(disk.Path, "node-0")}", full.Message, StringComparison.Ordinal);

        // 2. /health: storage-space is Degraded and names the partition.
        var degraded = (await health.CheckHealthAsync()).Entries["storage-space"];
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("full-0", degraded.Description, StringComparison.Ordinal);

        // 3. Space freed: the same partition takes records again, without a restart or reactivation.
        File.Delete(filler);
        await partition.ProduceAsync(Batches.Of("after"), Acks.All);
        acknowledged.Add("after");
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["storage-space"].Status);

        var fetched = await partition.FetchAsync(new FetchRequest(0, 1 << 24, 0, TimeSpan.Zero));
        Assert.Equal(acknowledged, Batches.Values(fetched.Batches));
    }
}
