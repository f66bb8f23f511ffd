namespace Orka.Client;

/// <summary>
/// How <c>AddOrkaClient</c> connects and what its producers and consumers default to (configuration
/// section <c>Orka:Client</c> when added to a host application builder).
/// </summary>
public sealed class OrkaClientOptions
{
    /// <summary>The configuration section bound by <see cref="OrkaClientServiceCollectionExtensions.AddOrkaClient(Microsoft.Extensions.Hosting.IHostApplicationBuilder, Action{OrkaClientOptions}?)"/>.</summary>
    public const string SectionName = "Orka:Client";

    /// <summary>
    /// <c>Orka:Client:Gateways</c>: the silos' client gateways, <c>host:port</c> each. Empty means:
    /// use Orleans' own <c>Orleans:Clustering</c> configuration when there is one (e.g. Azure Table
    /// clustering), else <see cref="OrkaEndpoints.DefaultGateways"/>.
    /// </summary>
    public IList<string> Gateways { get; set; } = [];

    /// <summary><c>Orka:Client:ClusterId</c>: the Orleans cluster id of the silos. Default <c>orka</c>.</summary>
    public string ClusterId { get; set; } = "orka";

    /// <summary><c>Orka:Client:ServiceId</c>: the Orleans service id of the silos. Default <c>orka</c>.</summary>
    public string ServiceId { get; set; } = "orka";

    /// <summary>What <see cref="OrkaClientFactory.CreateProducer(ProducerOptions?)"/> uses when given no options.</summary>
    public ProducerOptions Producer { get; set; } = new();

    /// <summary>What <see cref="OrkaClientFactory.CreateConsumer(ConsumerOptions?)"/> uses when given no options.</summary>
    public ConsumerOptions Consumer { get; set; } = new();
}
