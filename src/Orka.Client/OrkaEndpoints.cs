using System.Net;

namespace Orka.Client;

/// <summary>
/// Where an Orleans client finds the cluster: the silos' client gateway endpoints. The default is the
/// local cluster's node 0 (<c>127.0.0.1:30000</c>).
/// </summary>
public static class OrkaEndpoints
{
    /// <summary>The local cluster's first gateway.</summary>
    public const string DefaultGateways = "127.0.0.1:30000";

    /// <summary>The environment variable the CLI reads when no <c>--gateway</c> is given.</summary>
    public const string GatewaysVariable = "ORKA_GATEWAYS";

    /// <summary>Parses <c>host:port[,host:port…]</c>. Throws <see cref="ArgumentException"/> on a bad entry.</summary>
    public static IReadOnlyList<IPEndPoint> ParseGateways(string text)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"'{part}' is not host:port.", nameof(text));
            }

            var host = part[..colon].Trim('[', ']');
            var address = host == "localhost"
                ? IPAddress.Loopback
                : IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).First();
            endpoints.Add(new IPEndPoint(address, port));
        }

        return endpoints.Count > 0 ? endpoints : throw new ArgumentException("No gateway endpoints given.", nameof(text));
    }
}
