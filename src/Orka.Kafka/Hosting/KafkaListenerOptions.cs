namespace Orka.Kafka.Hosting;

/// <summary>The Kafka listener of one silo (configuration section <c>Orka:Kafka</c>).</summary>
public sealed class KafkaListenerOptions
{
    public const string SectionName = "Orka:Kafka";

    /// <summary>Kafka's default port; the silo host gives node i <c>DefaultPort + i</c>.</summary>
    public const int DefaultPort = 9092;

    /// <summary><c>Orka:Kafka:Enabled</c>: false runs the silo without a Kafka listener.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// <c>Orka:Kafka:Host</c>: the address to bind. Default 127.0.0.1, like the rest of the
    /// development defaults; set 0.0.0.0 (and <see cref="AdvertisedHost"/>) to serve other machines.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary><c>Orka:Kafka:Port</c>: the port to bind; 0 picks a free one (tests), which is then advertised.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>
    /// <c>Orka:Kafka:AdvertisedHost</c>: the host name clients are told in Metadata and FindCoordinator.
    /// Default: <see cref="Host"/>, or the machine name when binding every address.
    /// </summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>
    /// <c>Orka:Kafka:MaxRequestBytes</c>: Kafka's <c>socket.request.max.bytes</c>. A frame that
    /// announces more closes its connection before a byte of its body is buffered.
    /// </summary>
    public int MaxRequestBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>
    /// <c>Orka:Kafka:ConnectionsMaxIdle</c>: Kafka's <c>connections.max.idle.ms</c>. A connection that
    /// sends nothing for this long (idle, or stalled in the middle of a frame) is closed; clients
    /// reconnect when they need to. Default 10 minutes, as in Kafka.
    /// </summary>
    public TimeSpan ConnectionsMaxIdle { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// <c>Orka:Kafka:MaxInFlightPerConnection</c>: how many requests of one connection may be
    /// started and not yet answered. Requests still start in order (a produce's appends finish before
    /// the next request starts) but what they then wait for (acks=all: the fsync) overlaps, so
    /// librdkafka's 5 in-flight produce requests share fsyncs. Past the bound the connection is not
    /// read until a response is written. Memory: up to this many request frames per connection.
    /// 1 (or less) answers one request at a time. Default 16.
    /// </summary>
    public int MaxInFlightPerConnection { get; set; } = 16;

    /// <summary><c>Orka:Kafka:DefaultPartitions</c>: partitions of a topic created with -1 partitions (Kafka's num.partitions).</summary>
    public int DefaultPartitions { get; set; } = 1;

    /// <summary>The advertised host after defaults.</summary>
    public string ResolveAdvertisedHost() =>
        !string.IsNullOrWhiteSpace(AdvertisedHost) ? AdvertisedHost
        : Host is "0.0.0.0" or "::" or "*" ? System.Net.Dns.GetHostName()
        : Host;
}
