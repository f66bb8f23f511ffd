using System.Diagnostics;
using StackExchange.Redis;

namespace Orka.PerfSuite;

/// <summary>
/// Redis Streams as a peer: Debian's <c>redis-server</c> with AOF and <c>appendfsync everysec</c>
/// (Redis' usual durability, comparable to Orka's acks=1 with a periodic flush), records appended with
/// <c>XADD</c>, pipelined by StackExchange.Redis' multiplexer with a bounded window of outstanding commands.
/// </summary>
internal static class RedisPeer
{
    public static async Task<LoadResult[]> RunAsync(string workDirectory, IReadOnlyList<(long Records, int Size)> cases)
    {
        var directory = Directory.CreateDirectory(Path.Combine(workDirectory, "redis")).FullName;
        var port = FreePort.Next();
        await using var server = ChildProcess.Start("redis-server", [
            "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
            "--appendonly", "yes", "--appendfsync", "everysec", "--protected-mode", "no",
        ]);
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20), () => server.Output);
        using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port}");
        var db = redis.GetDatabase();

        var results = new List<LoadResult>();
        foreach (var (records, size) in cases)
        {
            await Disk.SettleAsync();
            var key = $"s{size}";
            var payload = new byte[size];
            Random.Shared.NextBytes(payload);
            var window = new Queue<Task>();
            var start = Stopwatch.GetTimestamp();
            for (long i = 0; i < records; i++)
            {
                window.Enqueue(db.StreamAddAsync(key, "v", payload));
                if (window.Count >= 4096)
                {
                    await window.Dequeue();
                }
            }

            await Task.WhenAll(window);
            var elapsed = Stopwatch.GetElapsedTime(start);
            var length = await db.StreamLengthAsync(key);
            if (length != records)
            {
                throw new InvalidOperationException($"Redis stream {key} holds {length} entries, expected {records}");
            }

            results.Add(new LoadResult("Redis Streams", $"XADD {size} B, AOF everysec", records, size, records / elapsed.TotalSeconds));
        }

        return [.. results];
    }
}
