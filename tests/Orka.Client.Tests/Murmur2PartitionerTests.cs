using System.Text;

namespace Orka.Client.Tests;

public sealed class Murmur2PartitionerTests
{
    // Intent: our murmur2 equals Kafka's Utils.murmur2 on the vectors of Kafka's own test suite.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_KafkaTestVectors_Match(string key, int expected) =>
        Assert.Equal(expected, Murmur2Partitioner.Murmur2(Encoding.UTF8.GetBytes(key)));
}
