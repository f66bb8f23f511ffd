using Microsoft.Extensions.Configuration;
using Orka.Broker.Metadata;

namespace Orka.Broker.Tests;

/// <summary>Which section configures the metadata store: <c>Orka:MetadataStore</c>, or the deprecated <c>Orka:Storage</c>.</summary>
public sealed class MetadataStoreConfigurationTests
{
    private static MetadataStoreConfiguration Read(params (string Key, string Value)[] settings) =>
        MetadataStoreConfiguration.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    // Intent: the current keys configure the store, with no warning.
    [Fact]
    public void Read_MetadataStoreKeys_UsedWithoutWarning()
    {
        var read = Read(("Orka:MetadataStore:Provider", "AzureBlob"), ("Orka:MetadataStore:ContainerName", "meta"));

        Assert.Equal(MetadataStoreProvider.AzureBlob, read.Options.Provider);
        Assert.Equal("meta", read.Options.ContainerName);
        Assert.Equal("Orka:MetadataStore:ConnectionString", read.Key("ConnectionString"));
        Assert.Null(read.DeprecationWarning);
    }

    // Intent: the old Orka:Storage keys keep working, named as written, with a warning that says what to rename them to.
    [Fact]
    public void Read_DeprecatedStorageKeys_StillUsedWithRenameWarning()
    {
        var read = Read(("Orka:Storage:Provider", "AzureTable"), ("Orka:Storage:TableName", "Meta"), ("Orka:Storage:ConnectionString", "UseDevelopmentStorage=true"));

        Assert.Equal(MetadataStoreProvider.AzureTable, read.Options.Provider);
        Assert.Equal("Meta", read.Options.TableName);
        Assert.Equal("UseDevelopmentStorage=true", read.Options.ConnectionString);
        Assert.Equal("Orka:Storage:Provider", read.Key("Provider"));
        Assert.Contains("Orka:MetadataStore", read.DeprecationWarning);
        Assert.Contains("deprecated", read.DeprecationWarning);
    }

    // Intent: with both sections the current one wins and the warning says the old one is ignored.
    [Fact]
    public void Read_BothSections_CurrentWinsOldReportedIgnored()
    {
        var read = Read(("Orka:Storage:Provider", "AzureTable"), ("Orka:MetadataStore:Provider", "Local"));

        Assert.Equal(MetadataStoreProvider.Local, read.Options.Provider);
        Assert.Contains("ignored", read.DeprecationWarning);
    }

    // Intent: nothing configured is the embedded local store.
    [Fact]
    public void Read_NothingConfigured_LocalStore()
    {
        var read = Read();

        Assert.Equal(MetadataStoreProvider.Local, read.Options.Provider);
        Assert.Null(read.DeprecationWarning);
    }
}
