using System.Diagnostics;
using System.Globalization;

namespace Orka.Storage.Tests;

/// <summary>
/// A real crash: a child process killed with SIGKILL mid-append. A killed process leaves the OS
/// page cache intact, so this proves the unclean-shutdown path (lock released by the kernel, no
/// marker, recovery, offsets continuing), not survival of a power loss; torn and corrupt tails,
/// which a power loss can leave, are covered byte by byte in <see cref="LogRecoveryTests"/>.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ProcessKilledWhileAppendingFsyncedBatches_EveryAcknowledgedRecordSurvivesAndAppendsContinue()
    {
        // 1. Start a child that appends fsynced batches and acknowledges each one on stdout.
        var dataDirectory = _temp.Combine("data");
        using var child = StartCrashWriter(dataDirectory);
        long lastAck = -1;
        try
        {
            // 2. Let it acknowledge a few hundred batches (several segment rolls), then kill it (SIGKILL on Unix).
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            for (var acks = 0; acks < 300;)
            {
                var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The crash writer exited early: {await child.StandardError.ReadToEndAsync(timeout.Token)}");
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    lastAck = long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture);
                    acks++;
                }
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        // 3. Reopen: no clean-shutdown marker, so recovery validates everything after the checkpoint.
        Assert.False(File.Exists(Path.Combine(dataDirectory, ".clean-shutdown")));
        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = dataDirectory });
        var log = await manager.GetOrCreateLogAsync(CrashWriter.Topic, 0, CrashWriter.TopicId, CrashWriter.Config);
        Assert.False(manager.WasCleanShutdown);
        Assert.True(log.LogEndOffset > lastAck, $"log end {log.LogEndOffset} lost acknowledged offset {lastAck}");

        // 4. Every record, acknowledged or not, is whole and holds the value written for its offset.
        var records = await TestBatches.ReadAllAsync(log);
        Assert.Equal(log.LogEndOffset, records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(i, records[i].Offset);
            Assert.Equal(CrashWriter.ValueFor(i), records[i].Value!.Value.ToArray());
        }

        // 5. Appends continue right after the recovered end.
        var end = log.LogEndOffset;
        Assert.Equal(end, (await log.AppendAsync(TestBatches.Make("after"))).FirstOffset);
    }

    private static Process StartCrashWriter(string dataDirectory)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(CrashWriter).Assembly.Location);
        start.ArgumentList.Add("crash-writer");
        start.ArgumentList.Add(dataDirectory);
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the crash writer.");
    }
}
