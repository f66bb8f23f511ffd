using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orka.Cli;

/// <summary>
/// Plain TCP checks of a gateway endpoint, so that the CLI can fail fast and say why instead of
/// waiting for the Orleans client's connect timeout. <see cref="CanConnectAsync"/> only opens and
/// closes a connection (a real gateway sees nothing but that). <see cref="IdentifyAsync"/> speaks
/// to the endpoint, so it runs only once the Orleans client has failed or stalled: it sends an HTTP
/// request, then a Kafka ApiVersions v0 request, and reports which one got a well-formed answer.
/// </summary>
internal static class GatewayProbe
{
    /// <summary>How long one probe may take: a refused or answered connection on a LAN takes milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>Null when a TCP connection to <paramref name="endpoint"/> opens; else why not (refused, no answer, …).</summary>
    public static async Task<string?> CanConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : e.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer to a TCP connect within {Timeout.TotalSeconds:0} s";
        }
    }

    /// <summary>What answers at <paramref name="endpoint"/> when it is not an Orleans gateway, with a hint; null when it cannot tell.</summary>
    public static async Task<string?> IdentifyAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        const string Hint = "the CLI uses the Orleans gateway port, e.g. 30000 (Orleans:Endpoints:GatewayPort)";
        var http = await ExchangeAsync(endpoint, Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {endpoint}\r\nConnection: close\r\n\r\n"), 5, cancellationToken);
        if (http is { Length: 5 } && Encoding.ASCII.GetString(http) == "HTTP/")
        {
            return $"{endpoint} is an HTTP server (Orka's REST gateway or a silo's web port?), not an Orleans gateway; {Hint}";
        }

        // ApiVersions (key 18) v0, correlation id 0x0rka, no client id. A Kafka listener answers with
        // a frame whose first field is that correlation id.
        const int CorrelationId = 0x00_0C_4A_00;
        var request = new byte[4 + 2 + 2 + 4 + 2];
        BinaryPrimitives.WriteInt32BigEndian(request, request.Length - 4);
        BinaryPrimitives.WriteInt16BigEndian(request.AsSpan(4), 18);
        BinaryPrimitives.WriteInt16BigEndian(request.AsSpan(6), 0);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(8), CorrelationId);
        BinaryPrimitives.WriteInt16BigEndian(request.AsSpan(12), -1);
        var kafka = await ExchangeAsync(endpoint, request, 8, cancellationToken);
        if (kafka is { Length: 8 } && BinaryPrimitives.ReadInt32BigEndian(kafka.AsSpan(4)) == CorrelationId)
        {
            return $"{endpoint} is a Kafka listener (Orka's Kafka port?), not an Orleans gateway; {Hint}";
        }

        return null;
    }

    /// <summary>Sends <paramref name="request"/> and reads the first <paramref name="length"/> bytes of the answer; null on no or a short answer.</summary>
    private static async Task<byte[]?> ExchangeAsync(IPEndPoint endpoint, byte[] request, int length, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);
            var answer = new byte[length];
            var read = 0;
            while (read < length)
            {
                var n = await socket.ReceiveAsync(answer.AsMemory(read), SocketFlags.None, timeout.Token);
                if (n == 0)
                {
                    return null;
                }

                read += n;
            }

            return answer;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
