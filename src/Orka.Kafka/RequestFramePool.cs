using System.Buffers;

namespace Orka.Kafka;

/// <summary>
/// Where request frame buffers come from: frames up to <see cref="LargestPooled"/> bytes from
/// <see cref="ArrayPool{T}.Shared"/>, larger ones allocated at their exact size and left to the
/// garbage collector.
/// </summary>
/// <remarks>
/// Why: the shared pool rounds a size up to a power of two and keeps what it is given back, per
/// core, indefinitely. A 100 MiB produce would take a 128 MiB array that then stays in the pool,
/// outside the request memory budget; a few such frames would pin gigabytes. Large frames are rare,
/// and their cost is dominated by copying their bytes, not by allocating.
/// </remarks>
internal sealed class RequestFramePool : ArrayPool<byte>
{
    /// <summary>The largest frame taken from (and given back to) the shared pool.</summary>
    public const int LargestPooled = 1024 * 1024;

    public static RequestFramePool Instance { get; } = new();

    public override byte[] Rent(int minimumLength) =>
        minimumLength <= LargestPooled ? Shared.Rent(minimumLength) : GC.AllocateUninitializedArray<byte>(minimumLength);

    public override void Return(byte[] array, bool clearArray = false)
    {
        if (array.Length <= LargestPooled)
        {
            Shared.Return(array, clearArray);
        }
    }
}
