using System.Globalization;
using System.Text;

namespace Orka.Storage.Tests;

/// <summary>
/// The entry point of this test assembly, so that <see cref="CrashTests"/> can start it as a child
/// process (<c>dotnet exec Orka.Storage.Tests.dll crash-writer &lt;dir&gt;</c>) and kill it. As a
/// child it appends fsynced batches forever and prints "ack {lastOffset}" after each one returns;
/// every acknowledged record must survive the kill. Under the test runner, Main is never called.
/// </summary>
public static class CrashWriter
{
    public const string Topic = "crash";
    public static readonly Guid TopicId = Guid.Parse("6f1c1c55-0d7a-4f55-9a4e-7d1d2b1e0a01");
    public static readonly LogConfig Config = new() { SegmentBytes = 16 * 1024, IndexIntervalBytes = 512, FlushMessages = 1 };

    public static async Task<int> Main(string[] args)
    {
        if (args is not ["crash-writer", var directory])
        {
            return 2;
        }

        await using var manager = LogManager.Open(new LogManagerOptions { DataDirectory = directory, CheckpointInterval = TimeSpan.FromMilliseconds(50) });
        var log = await manager.GetOrCreateLogAsync(Topic, 0, TopicId, Config);
        var stdout = Console.Out;
        var stopAt = DateTime.UtcNow.AddMinutes(2); // never outlive a test that forgot us
        for (var i = 0; DateTime.UtcNow < stopAt; i++)
        {
            var builder = new RecordBatchBuilder();
            var next = log.LogEndOffset;
            for (var r = 0; r < 1 + i % 5; r++)
            {
                builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), default, ValueFor(next + r), keyIsNull: true);
            }

            var info = await log.AppendAsync(builder.Build());
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ack {info.LastOffset}"));
            await stdout.FlushAsync();
        }

        return 0;
    }

    /// <summary>The value the writer gives the record at <paramref name="offset"/>: the offset, padded.</summary>
    public static byte[] ValueFor(long offset) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"value-{offset}").PadRight(100, '#'));
}
