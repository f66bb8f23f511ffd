namespace Orka.Broker.Metadata;

/// <summary>
/// Where grain state lives (configuration section <c>Orka:Storage</c>). Partition logs always stay on
/// the node's local disk; only small metadata goes here. Every silo of a cluster must use the same
/// provider and account, or they would disagree about which topics exist.
/// </summary>
public sealed class OrkaStorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Orka:Storage";

    /// <summary><c>Orka:Storage:Provider</c>: <c>Local</c> (default), <c>AzureTable</c> or <c>AzureBlob</c>.</summary>
    public OrkaStorageProvider Provider { get; set; } = OrkaStorageProvider.Local;

    /// <summary>
    /// <c>Orka:Storage:ConnectionString</c>: an Azure Storage connection string (account key or SAS).
    /// Required by the Azure providers.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>Orka:Storage:TableName</c>: the table of the <c>AzureTable</c> provider.</summary>
    public string TableName { get; set; } = "OrkaMetadata";

    /// <summary><c>Orka:Storage:ContainerName</c>: the blob container of the <c>AzureBlob</c> provider.</summary>
    public string ContainerName { get; set; } = "orka-metadata";
}
