using Orka.Kafka.Protocol;

namespace Orka.Kafka.Tests;

public sealed class KafkaCodecTests
{
    private static KafkaReader ReaderOf(KafkaWriter writer, bool flexible) =>
        new(writer.CompleteFrame()[4..]) { Flexible = flexible };

    // Intent: unsigned varints round-trip at every length boundary, in the byte counts Kafka uses.
    [Theory]
    [InlineData(0u, 1)]
    [InlineData(127u, 1)]
    [InlineData(128u, 2)]
    [InlineData(16_383u, 2)]
    [InlineData(16_384u, 3)]
    [InlineData(uint.MaxValue, 5)]
    public void UnsignedVarInt_RoundTripsWithKafkasLength(uint value, int bytes)
    {
        using var writer = new KafkaWriter();
        writer.WriteUnsignedVarInt(value);
        Assert.Equal(4 + bytes, writer.Length);
        Assert.Equal(value, ReaderOf(writer, false).ReadUnsignedVarInt());
    }

    // Intent: strings, bytes and arrays round-trip in both the classic and the compact (flexible) forms, null included.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StringsBytesArrays_RoundTripInBothForms(bool flexible)
    {
        using var writer = new KafkaWriter { Flexible = flexible };
        writer.WriteNullableString(null);
        writer.WriteString("");
        writer.WriteString("grüße");
        writer.WriteNullableBytes(default, isNull: true);
        writer.WriteBytes([1, 2, 3]);
        writer.WriteArray(new[] { 7, 8 }, (w, i) => w.WriteInt32(i));
        writer.WriteArrayLength(-1);
        writer.WriteUuid(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"));
        writer.WriteEmptyTaggedFields();

        var reader = ReaderOf(writer, flexible);
        Assert.Null(reader.ReadNullableString());
        Assert.Equal("", reader.ReadString());
        Assert.Equal("grüße", reader.ReadString());
        Assert.Null(reader.ReadNullableBytes());
        Assert.Equal(new byte[] { 1, 2, 3 }, reader.ReadBytes().ToArray());
        Assert.Equal([7, 8], reader.ReadArray(r => r.ReadInt32()));
        Assert.Equal(-1, reader.ReadArrayLength());
        Assert.Equal(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), reader.ReadUuid());
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
    }

    // Intent: a flexible uuid is written most significant byte first, as Kafka's Uuid is.
    [Fact]
    public void Uuid_IsBigEndian()
    {
        using var writer = new KafkaWriter();
        writer.WriteUuid(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"));
        Assert.Equal(Convert.FromHexString("00112233445566778899AABBCCDDEEFF"), writer.CompleteFrame()[4..].ToArray());
    }

    // Intent: tagged fields the listener does not know are skipped by their declared size.
    [Fact]
    public void UnknownTaggedFields_AreSkipped()
    {
        using var writer = new KafkaWriter { Flexible = true };
        writer.WriteUnsignedVarInt(2);
        writer.WriteUnsignedVarInt(0);
        writer.WriteUnsignedVarInt(3);
        writer.WriteBytesRaw([9, 9, 9]);
        writer.WriteUnsignedVarInt(5);
        writer.WriteUnsignedVarInt(0);
        writer.WriteInt32(42);
        var reader = ReaderOf(writer, true);
        reader.SkipTaggedFields();
        Assert.Equal(42, reader.ReadInt32());
    }

    // Intent: lengths that run past the frame, negative lengths and endless varints are protocol errors, never allocations or hangs.
    [Theory]
    [InlineData(new byte[] { 0, 10, (byte)'a' })] // string of 10 with 1 byte left
    [InlineData(new byte[] { 0xFF, 0xFE })] // string length -2
    [InlineData(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF })] // array of 2^31-1 elements in 0 bytes
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // a 6-byte varint
    public void HostileLengths_ThrowProtocolException(byte[] bytes)
    {
        var reader = new KafkaReader(bytes);
        Assert.Throws<KafkaProtocolException>(() =>
        {
            if (bytes.Length == 4)
            {
                reader.ReadArrayLength();
            }
            else if (bytes.Length == 6)
            {
                reader.ReadUnsignedVarInt();
            }
            else
            {
                reader.ReadString();
            }
        });
    }
}
