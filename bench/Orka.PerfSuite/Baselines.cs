using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Orka.PerfSuite;

/// <summary>
/// What the hardware gives, measured in the same run as everything else: sequential write (page
/// cache, and durable with an fdatasync per MiB), sequential read from the page cache, the cost of
/// one small durable write, and one loopback TCP stream.
/// </summary>
internal static class Baselines
{
    private const int Block = 1 << 20;

    public static async Task<BaselineResults> MeasureAsync(string workDirectory, long bytes)
    {
        var path = Path.Combine(workDirectory, "raw.bin");
        var buffer = new byte[Block];
        Random.Shared.NextBytes(buffer);

        await Disk.SettleAsync();
        var write = await WriteAsync(path, bytes, buffer, flushEvery: 0);
        await Disk.SettleAsync();
        var durable = await WriteAsync(path, bytes, buffer, flushEvery: 1);
        var read = await ReadAsync(path, buffer);
        File.Delete(path);
        var (fsyncsPerSecond, fsyncP50Ms) = await SmallDurableWritesAsync(Path.Combine(workDirectory, "fsync.bin"), TimeSpan.FromSeconds(2));
        var tcp = await LoopbackTcpAsync(Math.Max(bytes, 512L << 20));
        return new BaselineResults(write, durable, read, fsyncsPerSecond, fsyncP50Ms, tcp);
    }

    private static async Task<double> WriteAsync(string path, long bytes, byte[] buffer, int flushEvery)
    {
        File.Delete(path);
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None);
        var start = Stopwatch.GetTimestamp();
        long position = 0;
        var blocks = 0;
        while (position < bytes)
        {
            await RandomAccess.WriteAsync(handle, buffer, position);
            position += buffer.Length;
            if (flushEvery > 0 && ++blocks % flushEvery == 0)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }

        return MegabytesPerSecond(position, Stopwatch.GetElapsedTime(start));
    }

    private static async Task<double> ReadAsync(string path, byte[] buffer)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var length = RandomAccess.GetLength(handle);

        // One pass to be sure the file is in the page cache, then the measured pass.
        for (var pass = 0; pass < 2; pass++)
        {
            var start = Stopwatch.GetTimestamp();
            long position = 0;
            while (position < length)
            {
                position += await RandomAccess.ReadAsync(handle, buffer, position);
            }

            if (pass == 1)
            {
                return MegabytesPerSecond(length, Stopwatch.GetElapsedTime(start));
            }
        }

        throw new UnreachableException();
    }

    private static async Task<(double PerSecond, double P50Ms)> SmallDurableWritesAsync(string path, TimeSpan duration)
    {
        File.Delete(path);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        var block = new byte[4096];
        var latencies = new List<double>();
        var start = Stopwatch.GetTimestamp();
        long position = 0;
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            var one = Stopwatch.GetTimestamp();
            await RandomAccess.WriteAsync(handle, block, position);
            RandomAccess.FlushToDisk(handle);
            position += block.Length;
            latencies.Add(Stopwatch.GetElapsedTime(one).TotalMilliseconds);
        }

        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        handle.Dispose();
        File.Delete(path);
        latencies.Sort();
        return (latencies.Count / elapsed, latencies[latencies.Count / 2]);
    }

    private static async Task<double> LoopbackTcpAsync(long bytes)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var receive = Task.Run(async () =>
        {
            using var server = await listener.AcceptSocketAsync();
            var buffer = new byte[64 * 1024];
            long received = 0;
            while (received < bytes)
            {
                var n = await server.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    break;
                }

                received += n;
            }

            return received;
        });

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        var chunk = new byte[64 * 1024];
        var start = Stopwatch.GetTimestamp();
        long sent = 0;
        while (sent < bytes)
        {
            sent += await client.SendAsync(chunk, SocketFlags.None);
        }

        var got = await receive;
        return MegabytesPerSecond(got, Stopwatch.GetElapsedTime(start));
    }

    public static double MegabytesPerSecond(long bytes, TimeSpan elapsed) => bytes / (1024.0 * 1024.0) / elapsed.TotalSeconds;
}

/// <summary>Hardware figures of one run (MB = MiB).</summary>
internal sealed record BaselineResults(
    double WriteMBps, double DurableWriteMBps, double ReadMBps, double SmallFsyncsPerSecond, double SmallFsyncP50Ms, double LoopbackTcpMBps);
