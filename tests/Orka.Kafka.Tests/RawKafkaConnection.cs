using System.Buffers.Binary;
using System.Net.Sockets;
using Orka.Kafka.Protocol;

namespace Orka.Kafka.Tests;

/// <summary>
/// A bare TCP connection to a Kafka listener for tests that need exact bytes: builds request frames
/// with the listener's own <see cref="KafkaWriter"/> and
/// reads response frames with a deadline.
/// </summary>
internal sealed class RawKafkaConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private NetworkStream? _stream;

    private RawKafkaConnection(System.Net.IPAddress? from) =>
        _client = from is null ? new TcpClient { NoDelay = true } : new TcpClient(new System.Net.IPEndPoint(from, 0)) { NoDelay = true };

    /// <summary>Connects to <paramref name="endpoint"/>, from the loopback address <paramref name="from"/> when given (127.0.0.2 and so on are distinct client addresses).</summary>
    public static async Task<RawKafkaConnection> OpenAsync(KafkaEndpoint endpoint, System.Net.IPAddress? from = null)
    {
        var connection = new RawKafkaConnection(from);
        await connection._client.ConnectAsync(endpoint.Host, endpoint.Port);
        connection._stream = connection._client.GetStream();
        return connection;
    }

    private NetworkStream Stream => _stream ?? throw new InvalidOperationException("Not connected.");

    /// <summary>
    /// A whole request frame (size prefix included): header v1, or v2 when <paramref name="flexible"/>
    /// (then the body is written with compact encodings; it must end with its own tagged fields).
    /// </summary>
    public static byte[] Frame(short apiKey, short version, int correlationId, Action<KafkaWriter> body, bool flexible = false)
    {
        using var writer = new KafkaWriter();
        writer.WriteInt16(apiKey);
        writer.WriteInt16(version);
        writer.WriteInt32(correlationId);
        writer.WriteNullableString("raw-test");
        if (flexible)
        {
            writer.Flexible = true;
            writer.WriteEmptyTaggedFields();
        }

        body(writer);
        return writer.CompleteFrame().ToArray();
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await Stream.WriteAsync(bytes);
        await Stream.FlushAsync();
    }

    /// <summary>The next response frame (after the size prefix), or null when the listener closed the connection.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var size = new byte[4];
        try
        {
            await Stream.ReadExactlyAsync(size, cts.Token);
            var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
            await Stream.ReadExactlyAsync(frame, cts.Token);
            return frame;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
        catch (IOException)
        {
            return null; // reset by the listener
        }
    }

    /// <summary>True when the listener closes the connection within the timeout (reads return end of stream).</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (await Stream.ReadAsync(buffer, cts.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
