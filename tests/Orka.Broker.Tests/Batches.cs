using System.Text;
using Orka.Records;

namespace Orka.Broker.Tests;

/// <summary>Builds record batches the way the native producer does.</summary>
internal static class Batches
{
    public static byte[] Of(params string[] values) => At(1_700_000_000_000, values);

    /// <summary>A batch whose records all carry <paramref name="timestamp"/>.</summary>
    public static byte[] At(long timestamp, params string[] values)
    {
        var builder = new RecordBatchBuilder();
        foreach (var value in values)
        {
            builder.Append(timestamp, default, Encoding.UTF8.GetBytes(value), keyIsNull: true);
        }

        return builder.Build();
    }

    /// <summary>A batch of an idempotent producer.</summary>
    public static byte[] Idempotent(long producerId, short epoch, int baseSequence, params string[] values)
    {
        var builder = new RecordBatchBuilder();
        foreach (var value in values)
        {
            builder.Append(1_700_000_000_000, default, Encoding.UTF8.GetBytes(value), keyIsNull: true);
        }

        return builder.Build(producerId, epoch, baseSequence);
    }

    public static List<string> Values(ReadOnlyMemory<byte> batches) =>
        RecordBatchReader.ReadRecords(batches).Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)).ToList();
}
