namespace Orka.Cli.Tests;

/// <summary>What the CLI says when <c>--gateway</c> is not an Orleans gateway.</summary>
public sealed class ConnectionErrorTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    // Intent: a port where nothing listens is reported as refused, naming the address, without waiting
    // for the Orleans client's connect timeout (the message says which check failed: the TCP probe).
    [Fact]
    public async Task Cli_RefusedGateway_ReportsRefusedAddress()
    {
        var port = FreePorts.Take(1)[0];
        var result = await OrkaCli.RunAsync($"127.0.0.1:{port}", null, "topics", "list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot connect to the Orka cluster at 127.0.0.1:{port}: 127.0.0.1:{port}: connection refused", result.Stderr, StringComparison.Ordinal);
    }

    // Intent: the node's Kafka port given as the gateway is named as a Kafka listener, with the port to use instead.
    [Fact]
    public async Task Cli_KafkaPortAsGateway_SaysItIsKafkaWithHint()
    {
        var result = await OrkaCli.RunAsync(silo.KafkaBootstrap, null, "topics", "list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{silo.KafkaBootstrap} is a Kafka listener", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("the CLI uses the Orleans gateway port, e.g. 30000", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    // Intent: the node's HTTP port given as the gateway is named as an HTTP server, with the port to use instead.
    [Fact]
    public async Task Cli_HttpPortAsGateway_SaysItIsHttpWithHint()
    {
        var result = await OrkaCli.RunAsync(silo.HttpEndpoint, null, "produce", "anything");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{silo.HttpEndpoint} is an HTTP server", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("the CLI uses the Orleans gateway port, e.g. 30000", result.Stderr, StringComparison.Ordinal);
    }

    // Intent: the real gateway still connects (the probes do not get in its way).
    [Fact]
    public async Task Cli_RealGateway_Connects()
    {
        var result = await OrkaCli.RunAsync(silo.Gateway, null, "nodes");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.StartsWith("Node: 0\t", result.Stdout, StringComparison.Ordinal);
    }
}
