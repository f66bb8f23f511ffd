using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using Orka.Kafka.Protocol;

namespace Orka.Kafka.Tests;

/// <summary>
/// The per-connection queue of pipelined requests, driven directly: the in-flight bound, the
/// order of responses, and which request frames go back to the pool.
/// </summary>
public sealed class KafkaResponseQueueTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    // Intent: no more than maxInFlight requests are started at once (a third waits for a slot
    // until a response is written), and responses go out in request order even when a later one
    // is ready first: the second response, ready first, is written only after the first.
    [Fact]
    public async Task TwoInFlight_ThirdWaitsForAWrittenResponse_ResponsesInRequestOrder()
    {
        var pipe = new Pipe();
        using var stop = new CancellationTokenSource();
        var queue = new KafkaResponseQueue(pipe.Writer, maxInFlight: 2, stop, new DefaultConnectionContext("test"), NullLogger.Instance);
        var first = new TaskCompletionSource<KafkaWriter?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<KafkaWriter?>(TaskCreationOptions.RunContinuationsAsynchronously);

        await queue.WaitForSlotAsync(CancellationToken.None).WaitAsync(Bound);
        queue.Add(new byte[16], first.Task, new StrongBox<bool>());
        await queue.WaitForSlotAsync(CancellationToken.None).WaitAsync(Bound);
        queue.Add(new byte[16], second.Task, new StrongBox<bool>());
        var third = queue.WaitForSlotAsync(CancellationToken.None);
        Assert.False(third.IsCompleted, "a third request started while two were in flight");
        Assert.Equal(2, queue.Count);

        second.SetResult(Response(2));
        Assert.False(third.IsCompleted, "the second response freed a slot before the first was written");
        first.SetResult(Response(1));
        await third.WaitAsync(Bound);
        queue.ReleaseSlot();

        await queue.CompleteAsync().WaitAsync(Bound);
        await pipe.Writer.CompleteAsync();
        var written = await ReadAllAsync(pipe.Reader);
        Assert.Equal(Frame(1).Concat(Frame(2)), written);
        Assert.Equal(0, queue.Count);
    }

    // Intent: a request that retained its frame (its grain call timed out and may still read the
    // bytes) never gives that frame back to the pool, while the frames of the other requests go
    // back once answered, so a frame still being read is never handed to the next request.
    [Fact]
    public async Task RetainedFrame_NeverReturnedToThePool_OthersAre()
    {
        var pipe = new Pipe();
        using var stop = new CancellationTokenSource();
        var pool = new RecordingPool();
        var queue = new KafkaResponseQueue(pipe.Writer, maxInFlight: 4, stop, new DefaultConnectionContext("test"), NullLogger.Instance, pool);
        var timedOut = new byte[32];
        var answered = new byte[32];

        await queue.WaitForSlotAsync(CancellationToken.None).WaitAsync(Bound);
        var retained = new StrongBox<bool>();
        queue.Add(timedOut, RetainThenAnswerAsync(retained), retained);
        await queue.WaitForSlotAsync(CancellationToken.None).WaitAsync(Bound);
        queue.Add(answered, Task.FromResult<KafkaWriter?>(Response(2)), new StrongBox<bool>());
        await queue.CompleteAsync().WaitAsync(Bound);

        Assert.Equal([answered], pool.Returned);
        await pipe.Writer.CompleteAsync();
        var written = await ReadAllAsync(pipe.Reader);
        Assert.Equal(Frame(1).Concat(Frame(2)), written);

        static async Task<KafkaWriter?> RetainThenAnswerAsync(StrongBox<bool> retained)
        {
            await Task.Yield();
            retained.Value = true; // what KafkaReader.RetainFrame does when a grain call times out
            return Response(1);
        }
    }

    private static KafkaWriter Response(int correlationId)
    {
        var writer = new KafkaWriter();
        writer.WriteInt32(correlationId);
        return writer;
    }

    private static byte[] Frame(int correlationId) => [0, 0, 0, 4, 0, 0, 0, (byte)correlationId];

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        var bytes = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Bound);
            bytes.AddRange(result.Buffer.ToArray());
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return [.. bytes];
            }
        }
    }

    /// <summary>An array pool that records what is given back to it.</summary>
    private sealed class RecordingPool : ArrayPool<byte>
    {
        private readonly List<byte[]> _returned = [];

        public IReadOnlyList<byte[]> Returned
        {
            get
            {
                lock (_returned)
                {
                    return [.. _returned];
                }
            }
        }

        public override byte[] Rent(int minimumLength) => new byte[minimumLength];

        public override void Return(byte[] array, bool clearArray = false)
        {
            lock (_returned)
            {
                _returned.Add(array);
            }
        }
    }
}
