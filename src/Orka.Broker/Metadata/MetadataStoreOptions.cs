namespace Orka.Broker.Metadata;

/// <summary>
/// Where the metadata store keeps the cluster's small state (configuration section
/// <c>Orka:MetadataStore</c>). Partition logs always stay on the node's local disk; only metadata goes
/// here. Every silo of a cluster must use the same provider and account, or they would disagree
/// about which topics exist.
/// </summary>
/// <remarks>
/// The section was called <c>Orka:Storage</c> before "storage" came to mean the log engine only; those
/// keys still work when <c>Orka:MetadataStore</c> is absent, with a deprecation warning at start
/// (<see cref="MetadataStoreConfiguration"/>).
/// </remarks>
public sealed class MetadataStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Orka:MetadataStore";

    /// <summary>The section's earlier name, still read when <see cref="SectionName"/> is absent.</summary>
    public const string DeprecatedSectionName = "Orka:Storage";

    /// <summary><c>Orka:MetadataStore:Provider</c>: <c>Local</c> (default), <c>AzureTable</c> or <c>AzureBlob</c>.</summary>
    public MetadataStoreProvider Provider { get; set; } = MetadataStoreProvider.Local;

    /// <summary>
    /// <c>Orka:MetadataStore:ConnectionString</c>: an Azure Storage connection string (account key or
    /// SAS). Required by the Azure providers.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>Orka:MetadataStore:TableName</c>: the table of the <c>AzureTable</c> provider.</summary>
    public string TableName { get; set; } = "OrkaMetadata";

    /// <summary><c>Orka:MetadataStore:ContainerName</c>: the blob container of the <c>AzureBlob</c> provider.</summary>
    public string ContainerName { get; set; } = "orka-metadata";
}
