using Orka.Broker.Cluster;

namespace Orka.Broker.Metadata;

/// <summary>Where the metadata store keeps its state (topic metadata, committed offsets): <c>Orka:MetadataStore:Provider</c>.</summary>
public enum MetadataStoreProvider
{
    /// <summary>
    /// The embedded file store under <see cref="OrkaNodeOptions.MetadataDirectory"/>: no external service,
    /// but every silo must see the same folder (one machine, or a shared volume).
    /// </summary>
    Local,

    /// <summary>
    /// Azure Table storage (Microsoft.Orleans.Persistence.AzureStorage): one entity per grain. Cheap and
    /// fast for small state; an entity is limited to about 1 MB, which bounds very large deleted-topic lists.
    /// </summary>
    AzureTable,

    /// <summary>Azure Blob storage: one blob per grain, no practical size limit, a little slower per write.</summary>
    AzureBlob,
}
