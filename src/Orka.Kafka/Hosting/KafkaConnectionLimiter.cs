using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Orka.Kafka.Hosting;

/// <summary>
/// Kafka's <c>max.connections</c> and <c>max.connections.per.ip</c> for one listener: a Kestrel
/// connection middleware that counts open connections in total and per client address and closes
/// a connection past either limit at once, before the connection handler reads a byte of it.
/// </summary>
/// <remarks>
/// A refused connection costs its socket and Kestrel's per-connection objects for the moment it
/// takes to close; nothing is read or allocated for it here. Refusals are counted and logged at
/// most once per <see cref="LogInterval"/> (a flood of connections must not become a flood of log
/// lines). One lock per connect and disconnect.
/// </remarks>
internal sealed class KafkaConnectionLimiter(int maxConnections, int maxConnectionsPerIp, TimeProvider time, ILogger logger)
{
    /// <summary>Refusals are summed and logged at most this often.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly object _lock = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private int _open;
    private long _refusedSinceLog;
    private long _refused;
    private long _lastLog = long.MinValue;

    /// <summary>Connections open now.</summary>
    public int Open
    {
        get
        {
            lock (_lock)
            {
                return _open;
            }
        }
    }

    /// <summary>Connections refused since the listener started.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The middleware: runs <paramref name="next"/> for a connection within the limits, closes it otherwise.</summary>
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        if (!TryAcquire(address, out var reason))
        {
            NoteRefused(address, reason);
            return; // Kestrel closes the socket when the middleware returns
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Release(address);
        }
    }

    private bool TryAcquire(IPAddress address, out string reason)
    {
        lock (_lock)
        {
            if (_open >= maxConnections)
            {
                reason = $"{maxConnections} connections open (Orka:Kafka:MaxConnections)";
                return false;
            }

            var fromAddress = _perAddress.GetValueOrDefault(address);
            if (fromAddress >= maxConnectionsPerIp)
            {
                reason = $"{maxConnectionsPerIp} connections open from that address (Orka:Kafka:MaxConnectionsPerIp)";
                return false;
            }

            _perAddress[address] = fromAddress + 1;
            _open++;
            reason = "";
            return true;
        }
    }

    private void Release(IPAddress address)
    {
        lock (_lock)
        {
            _open--;
            var left = _perAddress[address] - 1;
            if (left == 0)
            {
                _perAddress.Remove(address);
            }
            else
            {
                _perAddress[address] = left;
            }
        }
    }

    private void NoteRefused(IPAddress address, string reason)
    {
        Interlocked.Increment(ref _refused);
        Interlocked.Increment(ref _refusedSinceLog);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastLog);
        if ((last != long.MinValue && time.GetElapsedTime(last, now) < LogInterval) || Interlocked.CompareExchange(ref _lastLog, now, last) != last)
        {
            return;
        }

        logger.LogWarning("Kafka listener refused {Refused} connection(s) since its last report (at most one per {Interval}); the latest from {Address}: {Reason}",
            Interlocked.Exchange(ref _refusedSinceLog, 0), LogInterval, address, reason);
    }
}
