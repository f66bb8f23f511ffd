using System.Diagnostics;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Orka.PerfSuite;

/// <summary>
/// NATS JetStream as a peer: Debian's <c>nats-server -js</c> with file storage; records published
/// with JetStream acknowledgements (the server acks once the message is in the stream's file, its
/// default sync is periodic, like Orka's acks=1), a bounded window of publishes in flight.
/// </summary>
internal static class NatsPeer
{
    public static async Task<LoadResult[]> RunAsync(string workDirectory, IReadOnlyList<(long Records, int Size)> cases)
    {
        var directory = Directory.CreateDirectory(Path.Combine(workDirectory, "nats")).FullName;
        var port = FreePort.Next();
        await using var server = ChildProcess.Start("nats-server", ["-js", "-a", "127.0.0.1", "-p", port.ToString(), "-sd", directory]);
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20), () => server.Output);
        await using var nats = new NatsClient($"nats://127.0.0.1:{port}");
        var js = nats.CreateJetStreamContext();

        var results = new List<LoadResult>();
        foreach (var (records, size) in cases)
        {
            await Disk.SettleAsync();
            var stream = $"S{size}";
            await js.CreateStreamAsync(new StreamConfig(stream, [$"{stream}.>"]) { Storage = StreamConfigStorage.File });
            var payload = new byte[size];
            Random.Shared.NextBytes(payload);
            var window = new Queue<Task<PubAckResponse>>();
            var start = Stopwatch.GetTimestamp();
            for (long i = 0; i < records; i++)
            {
                window.Enqueue(js.PublishAsync($"{stream}.x", payload).AsTask());
                if (window.Count >= 4096)
                {
                    (await window.Dequeue()).EnsureSuccess();
                }
            }

            foreach (var ack in await Task.WhenAll(window))
            {
                ack.EnsureSuccess();
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var info = await js.GetStreamAsync(stream);
            if (info.Info.State.Messages != records)
            {
                throw new InvalidOperationException($"NATS stream {stream} holds {info.Info.State.Messages} messages, expected {records}");
            }

            results.Add(new LoadResult("NATS JetStream", $"publish {size} B, file storage", records, size, records / elapsed.TotalSeconds));
        }

        return [.. results];
    }
}
