using System.Buffers.Binary;

namespace Orka.Records.Tests;

public sealed class RecordBatchHeaderEnumeratorTests
{
    [Fact]
    public void Enumerate_WholeBatchesThenAPartialOne_YieldsTheWholeOnesWithPositions()
    {
        var first = TestBatches.Make("a", count: 2);
        var second = TestBatches.Make("b", count: 3);
        var third = TestBatches.Make("c", count: 1);
        BinaryPrimitives.WriteInt64BigEndian(second, 2);
        BinaryPrimitives.WriteInt64BigEndian(third, 5);
        byte[] bytes = [.. first, .. second, .. third[..^1]];

        var walked = new List<(long BaseOffset, long LastOffset, int Position)>();
        var walker = RecordBatchHeader.Enumerate(bytes);
        while (walker.MoveNext())
        {
            walked.Add((walker.Current.Header.BaseOffset, walker.Current.Header.LastOffset, walker.Current.Position));
        }

        Assert.Equal([(0L, 1L, 0), (2L, 4L, first.Length)], walked);
        Assert.Equal(first.Length + second.Length, walker.WholeBatchBytes);
    }

    [Fact]
    public void Enumerate_InForeach_HeadersEqualTheValidatedOnes()
    {
        byte[] bytes = [.. TestBatches.Make("a", count: 4), .. TestBatches.Make("b", count: 7, valueSize: 300)];

        var headers = new List<RecordBatchHeader>();
        foreach (var (header, position) in RecordBatchHeader.Enumerate(bytes))
        {
            Assert.Equal(header, RecordBatchHeader.ReadValidated(bytes.AsSpan(position)));
            headers.Add(header);
        }

        Assert.Equal(TestBatches.AssertWholeBatches(bytes), headers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(60)]
    public void Enumerate_FewerBytesThanAHeader_YieldsNothing(int length)
    {
        var walker = RecordBatchHeader.Enumerate(TestBatches.Make("a").AsSpan(0, length));

        Assert.False(walker.MoveNext());
        Assert.Equal(0, walker.WholeBatchBytes);
    }

    [Fact]
    public void Enumerate_BatchLengthBelowTheMinimum_StopsThereInsteadOfLooping()
    {
        var good = TestBatches.Make("a");
        var bad = TestBatches.Make("b");
        BinaryPrimitives.WriteInt32BigEndian(bad.AsSpan(8), 0); // would make a walker that trusts it stand still
        byte[] bytes = [.. good, .. bad];

        var count = 0;
        foreach (var _ in RecordBatchHeader.Enumerate(bytes))
        {
            count++;
        }

        Assert.Equal(1, count);
    }
}
