using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Orka.AppHost;

/// <summary>Whether a Kafka listener answers: one ApiVersions v0 request, its reply's correlation id and error code checked.</summary>
internal static class KafkaProbe
{
    public static async Task<bool> AnswersAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            var stream = socket.GetStream();

            // size 10 | api key 18 (ApiVersions) | version 0 | correlation id 7 | client id "" (int16 0)
            byte[] request = [0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 7, 0, 0];
            await stream.WriteAsync(request, cts.Token);
            var head = new byte[10];
            await stream.ReadExactlyAsync(head, cts.Token);
            return BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4)) == 7 && BinaryPrimitives.ReadInt16BigEndian(head.AsSpan(8)) == 0;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
