using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
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
/// <para>Requests start one at a time, in order: each request's first stage (<see cref="KafkaApi.StartAsync"/>;
/// for a produce, its appends) completes before the next request starts, so pipelined produce
/// requests reach each partition in the order they were sent, as an idempotent producer's
/// sequences need. What a request then waits for (a produce with acks=all: its fsync) overlaps
/// with the next requests, as in Kafka's purgatory, so pipelined acks=all produces share fsyncs.
/// Every other API does all its work in the first stage and so stays serial.</para>
/// <para>Memory: as soon as a frame's 4-byte size is read, the size is checked (below a request
/// header's 8 bytes, above <c>Orka:Kafka:MaxRequestBytes</c> or above the whole
/// <see cref="RequestMemoryBudget"/>: the connection is closed) and reserved from the node's
/// request memory budget, waiting (and not reading this socket) until it fits. The body is then
/// copied out of the pipe as it arrives into one buffer of that size, which lives, reserved,
/// until the response has been written. A frame must arrive within <c>Orka:Kafka:RequestReadTimeout</c>
/// of its reservation, or the connection is closed and the buffer freed; between frames a
/// connection may be silent for <c>Orka:Kafka:ConnectionsMaxIdle</c>.</para>
/// <para>A frame that cannot be parsed (unknown API key or version, truncated field, too many
/// array elements) closes the connection; the responses of the requests before it are still
/// written. Nothing a client sends reaches a grain unparsed, and a failing connection never
/// affects another one.</para>
/// </remarks>
public sealed class KafkaConnectionHandler(
    KafkaRequestDispatcher dispatcher,
    IOptions<KafkaListenerOptions> options,
    RequestMemoryBudget budget,
    TimeProvider time,
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
        var settings = options.Value;
        var maxIdle = settings.ConnectionsMaxIdle;
        var inFlight = new KafkaResponseQueue(output, Math.Max(1, settings.MaxInFlightPerConnection), stop, connection, logger, RequestFramePool.Instance, budget);
        var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var partial = new PartialFrame();
        try
        {
            while (true)
            {
                // Only the wait for bytes is bounded by the idle limit (a long poll being answered is
                // not idle); within a frame, also by what is left of the read timeout.
                var deadline = maxIdle;
                if (partial.Frame is not null)
                {
                    var left = partial.Deadline - time.GetElapsedTime(partial.Started);
                    if (left <= TimeSpan.Zero)
                    {
                        throw new KafkaProtocolException($"a {partial.Size}-byte request did not arrive within {settings.RequestReadTimeout} ({partial.Filled} bytes came)");
                    }

                    deadline = left < deadline ? left : deadline;
                }

                idle.CancelAfter(deadline);
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellation.IsCancellationRequested)
                {
                    idle.Dispose();
                    idle = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                    if (partial.Frame is not null && time.GetElapsedTime(partial.Started) >= partial.Deadline)
                    {
                        continue; // the read timeout check above closes the connection
                    }

                    if (inFlight.Count > 0)
                    {
                        continue; // not idle while responses are still coming: wait another round
                    }

                    logger.LogDebug("Closing Kafka connection {Connection}: nothing received for {Idle}", connection.ConnectionId, maxIdle);
                    return;
                }

                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                var buffer = result.Buffer;
                while (await TryTakeFrameAsync(buffer, partial, settings, connection.ConnectionId, cancellation) is var taken && taken.Frame is not null)
                {
                    buffer = taken.After;
                    var frame = taken.Frame;
                    var size = partial.Size;
                    partial.Clear();
                    var slotTaken = false;
                    try
                    {
                        await inFlight.WaitForSlotAsync(cancellation);
                        slotTaken = true;
                        var retained = new StrongBox<bool>();
                        var response = await dispatcher.StartAsync(frame.AsMemory(0, size), cancellation, () => retained.Value = true);
                        inFlight.Add(frame, response, retained, size);
                    }
                    catch
                    {
                        RequestFramePool.Instance.Return(frame);
                        budget.Release(size);
                        if (slotTaken)
                        {
                            inFlight.ReleaseSlot();
                        }

                        throw;
                    }
                }

                buffer = partial.Rest;
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    if (partial.Frame is not null || !buffer.IsEmpty)
                    {
                        logger.LogDebug("Kafka connection {Connection} closed in the middle of a frame", connection.ConnectionId);
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
            if (partial.Frame is { } unfinished)
            {
                RequestFramePool.Instance.Return(unfinished);
                budget.Release(partial.Size);
                partial.Clear();
            }

            // The responses of the requests already started still go out (unless the connection is going away).
            await inFlight.CompleteAsync();
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    /// <summary>
    /// Moves bytes from <paramref name="buffer"/> into the frame being read, starting one (size
    /// check, budget reservation, buffer) when none is. Returns the frame once it is whole, with the
    /// bytes after it; otherwise a null frame, and <see cref="PartialFrame.Rest"/> holds the bytes
    /// not consumed (a size prefix not yet whole).
    /// </summary>
    private async ValueTask<(byte[]? Frame, ReadOnlySequence<byte> After)> TryTakeFrameAsync(
        ReadOnlySequence<byte> buffer, PartialFrame partial, KafkaListenerOptions settings, string connectionId, CancellationToken cancellationToken)
    {
        if (partial.Frame is null)
        {
            if (buffer.Length < 4)
            {
                partial.Rest = buffer;
                return (null, buffer);
            }

            Span<byte> sizeBytes = stackalloc byte[4];
            buffer.Slice(0, 4).CopyTo(sizeBytes);
            var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
            if (size < MinFrameSize || size > settings.MaxRequestBytes)
            {
                throw new KafkaProtocolException($"Connection {connectionId}: frame size {size} is outside [{MinFrameSize}, {settings.MaxRequestBytes}] (Orka:Kafka:MaxRequestBytes).");
            }

            if (size > budget.Capacity)
            {
                throw new KafkaProtocolException($"Connection {connectionId}: a {size}-byte frame is larger than the whole request memory budget ({budget.Capacity} bytes, Orka:Kafka:QueuedMaxRequestBytes).");
            }

            // Waits (not reading this socket) until the frame fits in the node's budget.
            await budget.ReserveAsync(size, cancellationToken);
            partial.Start(RequestFramePool.Instance.Rent(size), size, time.GetTimestamp(), settings.RequestReadTimeout);
            buffer = buffer.Slice(4);
        }

        var take = (int)Math.Min(buffer.Length, partial.Size - partial.Filled);
        buffer.Slice(0, take).CopyTo(partial.Frame.AsSpan(partial.Filled));
        partial.Filled += take;
        buffer = buffer.Slice(take);
        partial.Rest = buffer;
        return partial.Filled == partial.Size ? (partial.Frame, buffer) : (null, buffer);
    }

    /// <summary>The frame being read on one connection: its reserved buffer and how much of it has arrived.</summary>
    private sealed class PartialFrame
    {
        public byte[]? Frame { get; private set; }

        public int Size { get; private set; }

        public int Filled { get; set; }

        public long Started { get; private set; }

        public TimeSpan Deadline { get; private set; }

        /// <summary>The bytes of the last buffer not consumed yet.</summary>
        public ReadOnlySequence<byte> Rest { get; set; }

        public void Start(byte[] frame, int size, long started, TimeSpan deadline)
        {
            Frame = frame;
            Size = size;
            Filled = 0;
            Started = started;
            Deadline = deadline;
        }

        /// <summary>The frame was handed on (or given back): the next bytes start a new one.</summary>
        public void Clear()
        {
            Frame = null;
            Filled = 0;
        }
    }
}
