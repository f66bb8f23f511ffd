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

    /// <summary>
    /// <c>Orka:Kafka:MaxConnections</c>: Kafka's <c>max.connections</c>. A connection past this many
    /// open ones is closed at once, before anything is read from it; refusals are logged once per
    /// ten seconds with their count. Default 10,000 (Kafka has no limit; a node without one runs out of
    /// open files and dies). Keep it well under the process's open-file limit (<c>ulimit -n</c>).
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// <c>Orka:Kafka:MaxConnectionsPerIp</c>: Kafka's <c>max.connections.per.ip</c>: open connections
    /// from one client address. Past it, new connections from that address are closed at once. Default 1,000.
    /// </summary>
    public int MaxConnectionsPerIp { get; set; } = 1_000;

    /// <summary>
    /// <c>Orka:Kafka:QueuedMaxRequestBytes</c>: Kafka's <c>queued.max.request.bytes</c>: the bytes of
    /// request frames being read or not yet answered, across all connections of the node. A frame
    /// that does not fit waits (its connection is not read meanwhile, so TCP pushes back on the
    /// client); a frame larger than the whole budget closes its connection. Default 512 MiB; at least
    /// <see cref="MaxRequestBytes"/> is sensible, or the largest requests can never be read.
    /// </summary>
    public long QueuedMaxRequestBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// <c>Orka:Kafka:RequestReadTimeout</c>: how long a request frame may take to arrive once its size
    /// has been read (time spent waiting for <see cref="QueuedMaxRequestBytes"/> not counted). A frame
    /// not complete by then closes the connection and frees its buffer. Default 30 seconds.
    /// </summary>
    public TimeSpan RequestReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Orka:Kafka:MaxRequestArrayElements</c>: array elements one request may hold, all its arrays
    /// together (a Fetch's partitions, a Produce's partitions, a list of names). A request with more
    /// closes its connection before more are parsed: parsed elements take several times their
    /// wire size, so this (not the frame size) bounds a request's parsed form. Kafka has no such
    /// limit; the default 200,000 exceeds every partition of a large broker in one Fetch.
    /// </summary>
    public int MaxRequestArrayElements { get; set; } = 200_000;

    /// <summary>
    /// <c>Orka:Kafka:FetchMaxBytes</c>: Kafka's broker-side <c>fetch.max.bytes</c>: the most record
    /// bytes one Fetch response holds, whatever the request's max_bytes says (each partition's read is
    /// capped by it too). Default 55 MiB, as in Kafka.
    /// </summary>
    public int FetchMaxBytes { get; set; } = 55 * 1024 * 1024;

    /// <summary><c>Orka:Kafka:DefaultPartitions</c>: partitions of a topic created with -1 partitions (Kafka's num.partitions).</summary>
    public int DefaultPartitions { get; set; } = 1;

    /// <summary>The advertised host after defaults.</summary>
    public string ResolveAdvertisedHost() =>
        !string.IsNullOrWhiteSpace(AdvertisedHost) ? AdvertisedHost
        : Host is "0.0.0.0" or "::" or "*" ? System.Net.Dns.GetHostName()
        : Host;
}
