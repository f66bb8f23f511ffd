using System.Buffers.Binary;
using System.Text;

namespace Orka.Storage.Tests;

/// <summary>Builds record batches and checks fetched bytes in tests.</summary>
internal static partial class TestBatches
{
    /// <summary>One batch of <paramref name="count"/> records whose values are "{tag}-{i}", padded to <paramref name="valueSize"/> bytes.</summary>
    public static byte[] Make(string tag, int count = 1, int valueSize = 0, long timestamp = 1_700_000_000_000)
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < count; i++)
        {
            var value = Encoding.UTF8.GetBytes($"{tag}-{i}".PadRight(valueSize, '.'));
            builder.Append(timestamp + i, Encoding.UTF8.GetBytes(tag), value);
        }

        return builder.Build();
    }

    public static string ValueOf(Record record) => Encoding.UTF8.GetString(record.Value!.Value.Span).TrimEnd('.');

    /// <summary>Asserts that <paramref name="bytes"/> is exactly a run of whole, valid batches, and returns their headers.</summary>
    public static List<RecordBatchHeader> AssertWholeBatches(ReadOnlyMemory<byte> bytes)
    {
        var headers = new List<RecordBatchHeader>();
        var position = 0;
        while (position < bytes.Length)
        {
            var header = RecordBatchHeader.ReadValidated(bytes.Span[position..]);
            headers.Add(header);
            position += header.SizeInBytes;
        }

        Assert.Equal(bytes.Length, position);
        return headers;
    }

    public static int BatchLengthAt(byte[] file, int position) => BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(position + 8)) + 12;
}
