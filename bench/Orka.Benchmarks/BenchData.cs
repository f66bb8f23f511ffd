using System.Buffers.Binary;
using Orka.Records;
using Orka.Storage;

namespace Orka.Benchmarks;

/// <summary>Batches, logs and temp directories shared by the benchmarks and the throughput runner.</summary>
public static class BenchData
{
    public const int KiB = 1024;
    public const int MiB = 1024 * 1024;

    /// <summary>
    /// Config for benchmark logs: batches up to 1 MiB plus header fit max.message.bytes, a segment
    /// holds 1.5 GiB so one run stays in one segment, and nothing is flushed unless asked.
    /// </summary>
    public static LogConfig Config { get; } = new()
    {
        MaxMessageBytes = 2 * MiB,
        SegmentBytes = 3L * 512 * MiB,
    };

    /// <summary>How many records of <paramref name="recordSize"/> value bytes (8-byte key) fill a batch of at most <paramref name="batchBytes"/>.</summary>
    public static int RecordsPerBatch(int recordSize, int batchBytes)
    {
        var builder = new RecordBatchBuilder();
        var value = new byte[recordSize];
        var count = 0;
        while (true)
        {
            builder.Append(0, new byte[8], value);
            if (builder.SizeInBytes > batchBytes)
            {
                return Math.Max(count, 1);
            }

            count++;
        }
    }

    /// <summary>Appends <paramref name="count"/> records with 8-byte keys and <paramref name="value"/> as the value.</summary>
    public static byte[] BuildBatch(RecordBatchBuilder builder, int count, ReadOnlySpan<byte> value)
    {
        builder.Reset();
        Span<byte> key = stackalloc byte[8];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(key, i);
            builder.Append(1_700_000_000_000 + i, key, value);
        }

        return builder.Build();
    }

    public static byte[] BuildBatch(int recordSize, int batchBytes)
    {
        var value = new byte[recordSize];
        Random.Shared.NextBytes(value);
        return BuildBatch(new RecordBatchBuilder(), RecordsPerBatch(recordSize, batchBytes), value);
    }

    /// <summary>A fresh directory under the temp path (same disk as the repository here).</summary>
    public static string NewTempDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "orka-bench", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>The offset after the last whole batch in <paramref name="batches"/> (as a consumer would compute it).</summary>
    public static long NextOffset(ReadOnlySpan<byte> batches)
    {
        long next = -1;
        foreach (var (header, _) in RecordBatchHeader.Enumerate(batches))
        {
            next = header.LastOffset + 1;
        }

        return next;
    }

    /// <summary>Raw baseline: writes <paramref name="batch"/> <paramref name="count"/> times at consecutive positions.</summary>
    public static async Task RawWriteAsync(string path, byte[] batch, int count, bool fsyncEach = false)
    {
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, FileOptions.Asynchronous);
        long position = 0;
        for (var i = 0; i < count; i++)
        {
            await RandomAccess.WriteAsync(handle, batch, position);
            position += batch.Length;
            if (fsyncEach)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }
    }

    /// <summary>Raw baseline: reads a file front to back into <paramref name="buffer"/>, reused for every read of its size.</summary>
    public static async Task<long> RawReadAsync(string path, byte[] buffer)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous);
        long position = 0;
        int read;
        while ((read = await RandomAccess.ReadAsync(handle, buffer, position)) > 0)
        {
            position += read;
        }

        return position;
    }

    /// <summary>Catch-up read of a whole log with ReadAsync, <paramref name="maxBytes"/> per call, as a consumer does.</summary>
    public static async Task<long> ReadLogAsync(PartitionLog log, int maxBytes)
    {
        long offset = log.LogStartOffset, bytes = 0;
        var end = log.LogEndOffset;
        while (offset < end)
        {
            var fetched = await log.ReadAsync(offset, maxBytes);
            bytes += fetched.Batches.Length;
            offset = NextOffset(fetched.Batches.Span);
        }

        return bytes;
    }

    /// <summary>Reads the whole log with <see cref="PartitionLog.ReadIntoAsync"/> into one reused buffer (grown if a batch needs it).</summary>
    public static async Task<long> ReadLogIntoAsync(PartitionLog log, byte[] buffer)
    {
        long offset = log.LogStartOffset, bytes = 0;
        var end = log.LogEndOffset;
        while (offset < end)
        {
            var read = await log.ReadIntoAsync(offset, buffer);
            if (read.BytesRead == 0)
            {
                buffer = new byte[read.RequiredBytes];
                continue;
            }

            bytes += read.BytesRead;
            offset = NextOffset(buffer.AsSpan(0, read.BytesRead));
        }

        return bytes;
    }

    /// <summary>The .log files of a partition directory, in name (offset) order.</summary>
    public static string[] SegmentFiles(string partitionDirectory)
    {
        var files = Directory.GetFiles(partitionDirectory, "*.log");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }
}
