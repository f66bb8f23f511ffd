using System.Net;
using Orleans.Configuration;

namespace Orka.Client;

/// <summary>Connects an Orleans client to an Orka cluster.</summary>
public static class OrkaClientBuilderExtensions
{
    /// <summary>
    /// Static clustering against the given silo gateways (cluster and service id "orka"), with
    /// Orleans' activity propagation so that a caller's trace continues on the silo.
    /// </summary>
    public static IClientBuilder UseOrkaGateways(this IClientBuilder builder, IEnumerable<IPEndPoint> gateways)
    {
        builder.UseStaticClustering(gateways.ToArray());
        builder.AddActivityPropagation();
        builder.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = "orka";
            o.ServiceId = "orka";
        });
        return builder;
    }
}
