using System.Buffers.Binary;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Orka.Records.Tests;

/// <summary>
/// LZ4 and zstd against their reference C implementations (the <c>lz4</c> and <c>zstd</c>
/// command-line tools, built on the liblz4 and libzstd that librdkafka and the Java client's
/// zstd-jni use): payloads the tools compress read back, and payloads the builder writes the tools
/// decompress. The tools are installed by <c>.ci/run</c>; a missing one fails the test.
/// </summary>
public sealed class ReferenceCodecToolTests
{
    [Theory]
    [InlineData("lz4", RecordBatchCompression.Lz4)]
    [InlineData("zstd", RecordBatchCompression.Zstd)]
    public async Task ReadRecords_PayloadCompressedByTheReferenceTool_Decodes(string tool, RecordBatchCompression codec)
    {
        var plain = Plain();
        var payload = await RunAsync(tool, ["-c", "-q"], plain.AsSpan(61).ToArray());
        byte[] batch = [.. plain[..61], .. payload];
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), batch.Length - 12);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(21), (short)codec);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), Crc32C.Compute(batch.AsSpan(21)));

        Assert.Equal(Values(plain), Values(batch));
    }

    [Theory]
    [InlineData("lz4", RecordBatchCompression.Lz4)]
    [InlineData("zstd", RecordBatchCompression.Zstd)]
    public async Task Build_Payload_TheReferenceToolDecompressesIt(string tool, RecordBatchCompression codec)
    {
        var plain = Plain();
        var builder = new RecordBatchBuilder(codec);
        foreach (var record in RecordBatchReader.ReadRecords(plain))
        {
            builder.Append(record.Timestamp, record.Key!.Value.Span, record.Value!.Value.Span);
        }

        var compressed = builder.Build();

        Assert.Equal(plain.AsSpan(61).ToArray(), await RunAsync(tool, ["-d", "-c", "-q"], compressed.AsSpan(61).ToArray()));
    }

    /// <summary>An uncompressed batch of 2,000 records, ~100 KiB: more than one 64 KiB LZ4 block.</summary>
    private static byte[] Plain()
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < 2000; i++)
        {
            builder.Append(1_700_000_000_000 + i, Encoding.UTF8.GetBytes($"key-{i % 50}"), Encoding.UTF8.GetBytes($"value {i} of the batch, {i * 7919 % 1000}"));
        }

        return builder.Build();
    }

    private static List<string> Values(byte[] batch)
        => RecordBatchReader.ReadRecords(batch).Select(r => $"{r.Offset}@{r.Timestamp}:{Encoding.UTF8.GetString(r.Key!.Value.Span)}={Encoding.UTF8.GetString(r.Value!.Value.Span)}").ToList();

    /// <summary>Runs <paramref name="tool"/> with <paramref name="input"/> on stdin; returns its stdout, failing on a non-zero exit.</summary>
    private static async Task<byte[]> RunAsync(string tool, string[] arguments, byte[] input)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"The '{tool}' command-line tool is needed (apt-get install {tool}; .ci/run installs it).", e);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var output = new MemoryStream();
            var copyOut = process.StandardOutput.BaseStream.CopyToAsync(output, timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardInput.BaseStream.WriteAsync(input, timeout.Token);
            process.StandardInput.Close();
            await copyOut;
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
            return output.ToArray();
        }
    }
}
