using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orka.Kafka.Hosting;
using Orka.Kafka.Protocol;

namespace Orka.Kafka;

/// <summary>
/// One Kafka client connection: reads size-prefixed request frames from the Kestrel pipe, keeps up
/// to <c>Orka:Kafka:MaxInFlightPerConnection</c> of them in flight, and writes their responses
/// strictly in request order (<see cref="KafkaResponseQueue"/>).
/// </summary>
/// <remarks>
/// Requests start one at a time, in order: each request's first stage (<see cref="KafkaApi.StartAsync"/>;
/// for a produce, its appends) completes before the next request starts, so pipelined produce
/// requests reach each partition in the order they were sent, as an idempotent producer's
/// sequences need. What a request then waits for (a produce with acks=all: its fsync) overlaps
/// with the next requests, as in Kafka's purgatory, so pipelined acks=all produces share fsyncs.
/// Every other API does all its work in the first stage and so stays serial, as before.
/// A frame whose size is below a request header's 8 bytes or above <c>Orka:Kafka:MaxRequestBytes</c>
/// closes the connection before its body is buffered; so does a frame that cannot be parsed
/// (unknown API key or version, truncated field). The responses of the requests before such a frame
/// are still written. Nothing a client sends reaches a grain unparsed, and a failing connection
/// never affects another one. Each frame is copied once into a pooled buffer that lives until its
/// response has been written.
/// </remarks>
public sealed class KafkaConnectionHandler(
    KafkaRequestDispatcher dispatcher,
    IOptions<KafkaListenerOptions> options,
    ILogger<KafkaConnectionHandler> logger) : ConnectionHandler
{
    /// <summary>A request header's fixed part: api key, api version, correlation id.</summary>
    private const int MinFrameSize = 8;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        // Closed by the client, or the listener is stopping (silo shutdown): stop reading and waiting.
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closing);
        var cancellation = stop.Token;
        var maxRequestBytes = options.Value.MaxRequestBytes;
        var maxIdle = options.Value.ConnectionsMaxIdle;
        var inFlight = new KafkaResponseQueue(output, Math.Max(1, options.Value.MaxInFlightPerConnection), stop, connection, logger);
        var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            while (true)
            {
                // Only the wait for bytes is bounded by the idle limit; a long poll being answered is not idle.
                idle.CancelAfter(maxIdle);
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellation.IsCancellationRequested)
                {
                    if (inFlight.Count > 0)
                    {
                        // Not idle while responses are still coming: wait another round.
                        idle.Dispose();
                        idle = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                        continue;
                    }

                    logger.LogDebug("Closing Kafka connection {Connection}: idle for {Idle}", connection.ConnectionId, maxIdle);
                    return;
                }

                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                var buffer = result.Buffer;
                while (TryTakeFrame(ref buffer, maxRequestBytes, connection.ConnectionId, out var frame, out var length))
                {
                    var slotTaken = false;
                    try
                    {
                        await inFlight.WaitForSlotAsync(cancellation);
                        slotTaken = true;
                        var retained = new StrongBox<bool>();
                        var response = await dispatcher.StartAsync(frame.AsMemory(0, length), cancellation, () => retained.Value = true);
                        inFlight.Add(frame, response, retained);
                    }
                    catch
                    {
                        ArrayPool<byte>.Shared.Return(frame);
                        if (slotTaken)
                        {
                            inFlight.ReleaseSlot();
                        }

                        throw;
                    }
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    if (!buffer.IsEmpty)
                    {
                        logger.LogDebug("Kafka connection {Connection} closed in the middle of a frame ({Bytes} bytes unread)", connection.ConnectionId, buffer.Length);
                    }

                    return;
                }
            }
        }
        catch (KafkaProtocolException e)
        {
            logger.LogInformation("Closing Kafka connection {Connection} from {Remote}: {Reason}", connection.ConnectionId, connection.RemoteEndPoint, e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException or ConnectionAbortedException)
        {
            // The client went away, the silo is stopping, or a response could not be written.
        }
        catch (Exception e) when (e is OverflowException or ArgumentException or FormatException)
        {
            logger.LogInformation("Closing Kafka connection {Connection}: malformed request ({Reason})", connection.ConnectionId, e.Message);
        }
        catch (Exception e)
        {
            // A handler bug must cost one connection, never the silo.
            logger.LogWarning(e, "Closing Kafka connection {Connection} after an unexpected error", connection.ConnectionId);
        }
        finally
        {
            idle.Dispose();
            // The responses of the requests already started still go out (unless the connection is going away).
            await inFlight.CompleteAsync();
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    /// <summary>
    /// Takes one whole frame off the buffer into a pooled array; false when the frame is not all
    /// there yet. Throws <see cref="KafkaProtocolException"/> on an impossible size.
    /// </summary>
    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, int maxRequestBytes, string connectionId, out byte[] frame, out int length)
    {
        frame = [];
        length = 0;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> sizeBytes = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(sizeBytes);
        var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        if (size < MinFrameSize || size > maxRequestBytes)
        {
            throw new KafkaProtocolException($"Connection {connectionId}: frame size {size} is outside [{MinFrameSize}, {maxRequestBytes}].");
        }

        if (buffer.Length < 4L + size)
        {
            return false;
        }

        frame = ArrayPool<byte>.Shared.Rent(size);
        buffer.Slice(4, size).CopyTo(frame);
        buffer = buffer.Slice(4 + size);
        length = size;
        return true;
    }
}
