using Orka.Silo;

namespace Orka.Azure.Tests;

/// <summary>Configuration mistakes around the Azure providers (no Azurite needed).</summary>
public sealed class AzureConfigurationTests
{
    // Intent: choosing an Azure provider without a connection string is a clear start-up error, not a late failure.
    [Fact]
    public void Silo_AzureProviderWithoutConnectionString_RefusesToBuild()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SiloHost.Build(
            ["--Orka:Storage:Provider=AzureTable", $"--Orka:DataDirectory={Path.Combine(Path.GetTempPath(), "orka-never-created", "node-0")}", "--urls=http://127.0.0.1:0"]));
        Assert.Contains("Orka:Storage:ConnectionString", error.Message);
    }

    // Intent: an unknown provider name stops the silo with a message naming the key, instead of silently using the local store.
    [Fact]
    public void Silo_UnknownStorageProvider_RefusesToBuild()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SiloHost.Build(
            ["--Orka:Storage:Provider=Cassandra", $"--Orka:DataDirectory={Path.Combine(Path.GetTempPath(), "orka-never-created", "node-0")}", "--urls=http://127.0.0.1:0"]));
        Assert.Contains("Orka:Storage:Provider", error.Message);
    }
}
