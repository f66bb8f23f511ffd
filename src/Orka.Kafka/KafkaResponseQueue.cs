using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Orka.Kafka.Protocol;

namespace Orka.Kafka;

/// <summary>
/// The requests of one connection that have started but whose responses are not written yet, and
/// the loop that writes those responses strictly in request order (Kafka's contract per
/// connection), each as soon as it and every earlier one are ready.
/// </summary>
/// <remarks>
/// At most <c>maxInFlight</c> requests are in the queue: <see cref="WaitForSlotAsync"/> holds the
/// reading side back until a response has been written, so a client that sends without reading
/// stops being read (its bytes back up in the pipe) instead of growing memory. Each entry owns its
/// pooled request frame, returned only once its response task has completed, because until then a
/// grain call may still be reading the frame's bytes; on close the queue therefore waits for every
/// started request (grain calls end by their own timeouts) but writes nothing more. A response
/// task that fails is a handler bug: it is logged and the connection is closed through
/// <c>stop</c>; the earlier responses have been written.
/// </remarks>
internal sealed class KafkaResponseQueue
{
    private readonly Channel<(byte[] Frame, Task<KafkaWriter?> Response, StrongBox<bool> Retained, long Charged)> _queue =
        Channel.CreateUnbounded<(byte[], Task<KafkaWriter?>, StrongBox<bool>, long)>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = true,
            // A response that is ready (acks=1, metadata, ...) is written inline by Add, on the
            // reading thread, instead of after a hop through the thread pool.
            AllowSynchronousContinuations = true,
        });

    private readonly SemaphoreSlim _slots;
    private readonly PipeWriter _output;
    private readonly CancellationTokenSource _stop;
    private readonly ConnectionContext _connection;
    private readonly ILogger _logger;
    private readonly Task _writing;
    private readonly ArrayPool<byte> _frames;
    private readonly RequestMemoryBudget? _budget;
    private int _count;

    /// <param name="frames">Where request frames go back once answered (they were rented there); <see cref="ArrayPool{T}.Shared"/> unless a test watches it.</param>
    /// <param name="budget">Where each frame's reserved bytes go back once answered (retained frames too).</param>
    public KafkaResponseQueue(PipeWriter output, int maxInFlight, CancellationTokenSource stop, ConnectionContext connection, ILogger logger, ArrayPool<byte>? frames = null, RequestMemoryBudget? budget = null)
    {
        _frames = frames ?? ArrayPool<byte>.Shared;
        _budget = budget;
        _slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        _output = output;
        _stop = stop;
        _connection = connection;
        _logger = logger;
        _writing = WriteInOrderAsync();
    }

    /// <summary>Requests started and not yet answered (or dropped).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Waits until fewer than <c>maxInFlight</c> requests are in flight and takes a slot.</summary>
    public Task WaitForSlotAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    /// <summary>Gives back a slot taken for a request that did not start.</summary>
    public void ReleaseSlot() => _slots.Release();

    /// <summary>
    /// Queues a started request (holding a slot) behind the earlier ones; the queue now owns its
    /// frame and the <paramref name="charged"/> bytes reserved for it in the request memory budget.
    /// </summary>
    public void Add(byte[] frame, Task<KafkaWriter?> response, StrongBox<bool> retained, long charged = 0)
    {
        Interlocked.Increment(ref _count);
        if (!_queue.Writer.TryWrite((frame, response, retained, charged)))
        {
            throw new InvalidOperationException("The response queue is complete."); // only the reader adds, and it completes the queue last
        }
    }

    /// <summary>No more requests: writes what is queued (unless the connection is stopping) and returns every frame.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _writing;
    }

    private async Task WriteInOrderAsync()
    {
        await Task.Yield(); // the constructor returns at once
        var failed = false;
        // No cancellation: every entry is drained, so that every frame goes back to the pool.
        await foreach (var (frame, responseTask, retained, charged) in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            KafkaWriter? response = null;
            try
            {
                try
                {
                    response = await responseTask;
                }
                catch (Exception e)
                {
                    failed |= Fail(e);
                    continue;
                }

                if (response is not null && !failed && !_stop.IsCancellationRequested)
                {
                    try
                    {
                        var flushed = await _output.WriteAsync(response.CompleteFrame(), _stop.Token);
                        if (flushed.IsCompleted || flushed.IsCanceled)
                        {
                            failed |= Fail(null);
                        }
                    }
                    catch (Exception e)
                    {
                        failed |= Fail(e);
                    }
                }
            }
            finally
            {
                response?.Dispose();
                if (!retained.Value)
                {
                    // Set before the response task completed, so it is visible here.
                    _frames.Return(frame);
                }

                // A retained frame stays alive until the grain call lets go of it, outside the
                // budget: that happens only for calls that timed out.
                _budget?.Release(charged);
                Interlocked.Decrement(ref _count);
                _slots.Release();
            }
        }
    }

    /// <summary>Stops the connection after a response could not be produced or written.</summary>
    private bool Fail(Exception? e)
    {
        switch (e)
        {
            case null or OperationCanceledException or ConnectionResetException or IOException or ConnectionAbortedException:
                break; // the client went away or the silo is stopping
            case KafkaProtocolException or OverflowException or ArgumentException or FormatException:
                _logger.LogInformation("Closing Kafka connection {Connection}: malformed request ({Reason})", _connection.ConnectionId, e.Message);
                break;
            default:
                // A handler bug must cost one connection, never the silo.
                _logger.LogWarning(e, "Closing Kafka connection {Connection} after an unexpected error", _connection.ConnectionId);
                break;
        }

        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        return true;
    }
}
