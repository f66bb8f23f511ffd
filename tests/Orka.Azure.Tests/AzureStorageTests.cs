using System.Collections.Immutable;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Orka.Client;
using Orka.Records;

namespace Orka.Azure.Tests;

/// <summary>
/// Orka on Azure Storage (an Azurite per test): Azure Table clustering and grain state in Azure Table
/// or Blob storage, chosen by configuration alone.
/// </summary>
public sealed class AzureStorageTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("orka-azure-").FullName;
    private Azurite _azurite = null!;

    public async Task InitializeAsync() => _azurite = await Azurite.StartAsync();

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    // Intent: with Azure clustering and Azure grain state, a whole 2-node cluster restart brings back
    // topic metadata, records and a group's committed offsets, and none of it was in the local store.
    [Theory]
    [InlineData("AzureTable")]
    [InlineData("AzureBlob")]
    public async Task Cluster_AzureStateFullRestart_TopicsRecordsAndCommittedOffsetsSurvive(string provider)
    {
        var clusterId = $"orka-{Guid.NewGuid():N}";
        TopicMetadata created;
        ImmutableArray<CommittedOffset> committed;

        // 1. Two nodes that find each other through the Azure membership table; a client that finds them there too.
        await using (var node0 = await AzureNode.StartAsync(0, _root, clusterId, _azurite.ConnectionString, provider))
        await using (var node1 = await AzureNode.StartAsync(1, _root, clusterId, _azurite.ConnectionString, provider))
        await using (var client = await AzureClient.StartAsync(clusterId, _azurite.ConnectionString))
        {
            var admin = client.Admin;
            await WaitForNodesAsync(admin, 2);

            // 2. A topic over both nodes, records in each partition, and a group's commits.
            created = await admin.CreateTopicAsync("orders", partitions: 2, new Dictionary<string, string> { ["retention.ms"] = "86400000" });
            Assert.Equal([0, 1], created.Leaders().Order());
            await using (var producer = new OrkaProducer(client.Client))
            {
                for (var i = 0; i < 20; i++)
                {
                    await producer.ProduceAsync("orders", Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"));
                }
            }

            var group = client.Client.GetGrain<IConsumerGroupGrain>("billing");
            await group.CommitAsync([new CommittedOffset(new TopicPartition("orders", 0), 3), new CommittedOffset(new TopicPartition("orders", 1), 5)]);
            committed = await group.GetCommittedAsync("orders");
            Assert.Equal(2, committed.Length);
        }

        // 3. The metadata went to Azure, not to the embedded store.
        Assert.False(Directory.Exists(Path.Combine(_root, "metadata")), "the local metadata store was used");
        Assert.True(await CountStoredStatesAsync(provider) >= 3, "expected cluster, topic and group state in Azure storage");

        // 4. A new cluster (new silos, new ports) over the same node data and the same Azure account.
        await using (var node0 = await AzureNode.StartAsync(0, _root, clusterId, _azurite.ConnectionString, provider))
        await using (var node1 = await AzureNode.StartAsync(1, _root, clusterId, _azurite.ConnectionString, provider))
        await using (var client = await AzureClient.StartAsync(clusterId, _azurite.ConnectionString))
        {
            var admin = client.Admin;
            await WaitForNodesAsync(admin, 2);
            Assert.Contains("orders", await admin.ListTopicsAsync());
            var again = await admin.GetTopicAsync("orders");
            Assert.Equal(created.TopicId, again.TopicId);
            Assert.Equal(created.Leaders().ToArray(), again.Leaders().ToArray());
            Assert.Equal("86400000", again.Config["retention.ms"]);

            var values = new List<string>();
            for (var p = 0; p < 2; p++)
            {
                var fetched = await client.Client.GetGrain<IPartitionGrain>(new TopicPartition("orders", p).ToGrainKey())
                    .FetchAsync(new FetchRequest(0, 1 << 20, 0, TimeSpan.Zero));
                values.AddRange(RecordBatchReader.ReadRecords(fetched.Batches).Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
            }

            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"v{i}").Order(), values.Order());
            var committedAgain = await client.Client.GetGrain<IConsumerGroupGrain>("billing").GetCommittedAsync("orders");
            Assert.Equal(committed.OrderBy(c => c.Partition.Partition), committedAgain.OrderBy(c => c.Partition.Partition));
        }
    }

    private async Task<int> CountStoredStatesAsync(string provider)
    {
        var count = 0;
        if (provider == "AzureTable")
        {
            await foreach (var _ in new TableServiceClient(_azurite.ConnectionString).GetTableClient("OrkaMetadata").QueryAsync<TableEntity>())
            {
                count++;
            }
        }
        else
        {
            await foreach (var _ in new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient("orka-metadata").GetBlobsAsync())
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Awaits both nodes in the membership (partitions are spread over live nodes only).</summary>
    private static async Task WaitForNodesAsync(OrkaAdmin admin, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await admin.ListNodesAsync()).Count(n => n.Status == "Active") < count)
        {
            // Polling a condition with a bound: membership gossip has no event a client can await.
            await Task.Delay(100, timeout.Token);
        }
    }
}
