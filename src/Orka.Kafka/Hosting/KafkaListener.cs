using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orka.Kafka.Hosting;

/// <summary>
/// Runs the silo's Kafka listener: a Kestrel server of its own (so the silo's HTTP endpoints keep
/// their own URLs) whose only endpoint is handled by <see cref="KafkaConnectionHandler"/>. Starts
/// when the silo becomes active (grains are callable), registers the advertised endpoint, and
/// stops first when the silo shuts down, so clients move to other brokers before grains go.
/// </summary>
internal sealed class KafkaListener(
    IServiceProvider services,
    IOptions<KafkaListenerOptions> options,
    KafkaBrokerDirectory directory,
    IGrainFactory grains,
    TimeProvider time,
    ILoggerFactory loggerFactory) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<KafkaListener>();
    private KestrelServer? _server;

    /// <summary>The connection limits of the running listener; null before it starts.</summary>
    public KafkaConnectionLimiter? Connections { get; private set; }

    /// <summary>Unread bytes one connection's receive pipe holds before the socket is not read (Kestrel's default).</summary>
    internal const long ReceivePipeBytes = 1024 * 1024;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(KafkaListener), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            _logger.LogInformation("Kafka listener disabled (Orka:Kafka:Enabled=false)");
            return;
        }

        var address = settings.Host is "0.0.0.0" or "*" ? IPAddress.Any
            : settings.Host is "::" ? IPAddress.IPv6Any
            : IPAddress.Parse(settings.Host);
        ListenOptions? listen = null;
        var kestrel = new KestrelServerOptions { ApplicationServices = services };
        // The connection handler copies each frame out of the pipe as it arrives, into a buffer
        // reserved from the request memory budget; the pipe itself holds at most this much unread
        // per connection before Kestrel stops reading the socket.
        kestrel.Limits.MaxRequestBufferSize = ReceivePipeBytes;
        var limiter = new KafkaConnectionLimiter(settings.MaxConnections, settings.MaxConnectionsPerIp, time, loggerFactory.CreateLogger<KafkaConnectionLimiter>());
        Connections = limiter;
        kestrel.Listen(address, settings.Port, l =>
        {
            listen = l;
            l.Use(next => connection => limiter.OnConnectionAsync(connection, next));
            l.UseConnectionHandler<KafkaConnectionHandler>();
        });
        // Kafka clients keep a few long-lived, busy connections: receive straight into a buffer
        // instead of first waiting for data with a zero-byte read (one syscall per receive, not two;
        // costs one 4 KiB pool block per idle connection).
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions { WaitForDataBeforeAllocatingBuffer = false }), loggerFactory);
        _server = new KestrelServer(Options.Create(kestrel), transport, loggerFactory);
        await _server.StartAsync(new NoHttpApplication(), cancellationToken);

        var port = (listen?.EndPoint as IPEndPoint)?.Port ?? settings.Port;
        var endpoint = new KafkaEndpoint(directory.LocalNodeId, settings.ResolveAdvertisedHost(), port);
        directory.LocalEndpoint = endpoint;
        await grains.GetGrain<IKafkaEndpointRegistryGrain>(IKafkaEndpointRegistryGrain.Key).RegisterAsync(endpoint);
        _logger.LogInformation("Kafka listener of node {Node} on {Address}:{Port}, advertised as {Host}:{Port}",
            endpoint.NodeId, address, port, endpoint.Host, endpoint.Port);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync(cancellationToken);
            server.Dispose();
        }
    }

    /// <summary>Kestrel wants an HTTP application; the Kafka endpoint's connection handler never reaches it.</summary>
    private sealed class NoHttpApplication : IHttpApplication<object>
    {
        public object CreateContext(IFeatureCollection contextFeatures) => new();

        public Task ProcessRequestAsync(object context) => Task.CompletedTask;

        public void DisposeContext(object context, Exception? exception)
        {
        }
    }
}
