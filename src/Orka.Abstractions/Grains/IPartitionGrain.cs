namespace Orka.Grains;

/// <summary>
/// The single writer of one partition (key: <see cref="TopicPartition.ToGrainKey"/>). Always active
/// on the silo that carries the partition's node, next to its data.
/// </summary>
[Alias("Orka.IPartitionGrain")]
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Appends one or more record batches (Kafka RecordBatch v2) and answers once they are as
    /// durable as <paramref name="acks"/> asks.
    /// </summary>
    /// <remarks>
    /// Interleaved: appends run one at a time, in arrival order, behind the grain's append gate, but
    /// the wait for the fsync (acks=all) happens outside it, so the next call appends meanwhile and
    /// calls waiting together share one fsync (group commit). Before, each call held the grain through
    /// its own fsync.
    ///
    /// <paramref name="batches"/> is <see cref="ImmutableAttribute">[Immutable]</see>: a call within one
    /// process hands the grain the caller's memory instead of a copy (Orleans deep-copies a plain
    /// <see cref="ReadOnlyMemory{T}"/> argument, a 1 MiB copy per batch here), so the caller must not
    /// change or reuse those bytes until the call has completed (the Kafka listener keeps a request's
    /// frame until its response is written, and abandons it to the garbage collector when a call
    /// times out). A call from another process brings its bytes in a rented buffer
    /// (<see cref="BatchPayload"/>), which the partition gives back once they are written.
    /// </remarks>
    [Alias("Produce"), Orleans.Concurrency.AlwaysInterleave]
    Task<ProduceResult> ProduceAsync([Immutable] BatchPayload batches, Acks acks);

    /// <summary>
    /// The first half of <see cref="ProduceAsync"/>: appends (or recognises an idempotent retry)
    /// and answers without waiting for any fsync. A caller that needs acks=all then calls
    /// <see cref="FlushToAsync"/> with <c>LastOffset + 1</c>. The split lets a caller keep the order of
    /// its appends (await this before the next append to the same partition) while the fsyncs of
    /// several appends overlap: the Kafka listener does this for pipelined requests, since Orleans
    /// does not promise that two calls arrive in the order they were sent.
    /// </summary>
    /// <param name="batches">Record batches, as for <see cref="ProduceAsync"/> (and [Immutable] as there: not to be changed until the call completes).</param>
    /// <param name="acks">What the caller will wait for. <see cref="Acks.All"/> starts the fsync at
    /// once (so the caller's <see cref="FlushToAsync"/> only waits for it); it also labels the produce
    /// metrics, whose latency then covers the append alone.</param>
    [Alias("Append"), Orleans.Concurrency.AlwaysInterleave]
    Task<ProduceResult> AppendAsync([Immutable] BatchPayload batches, Acks acks);

    /// <summary>
    /// Completes once every offset below <paramref name="endOffset"/> is fsynced, starting an fsync
    /// if none is running; callers waiting together share one (group commit). Fails with
    /// KAFKA_STORAGE_ERROR if the fsync fails. An offset past the log end counts as the log end.
    /// </summary>
    [Alias("FlushTo"), Orleans.Concurrency.AlwaysInterleave]
    Task FlushToAsync(long endOffset);

    /// <summary>Reads whole batches; may wait (without blocking the partition) for new data.</summary>
    [Alias("Fetch"), Orleans.Concurrency.AlwaysInterleave]
    Task<FetchResult> FetchAsync(FetchRequest request);

    [Alias("GetOffsets"), Orleans.Concurrency.AlwaysInterleave]
    Task<PartitionOffsets> GetOffsetsAsync();

    /// <summary>
    /// Kafka's ListOffsets for one partition: <see cref="OffsetSpec.Earliest"/> (-2) gives the log
    /// start, <see cref="OffsetSpec.Latest"/> (-1) the log end, any other value t the first offset
    /// whose timestamp is at least t, or -1 when there is none.
    /// </summary>
    [Alias("ListOffset"), Orleans.Concurrency.AlwaysInterleave]
    Task<long> ListOffsetAsync(long timestamp);

    /// <summary>Applies changed topic config to the running log.</summary>
    [Alias("UpdateConfig")]
    Task UpdateConfigAsync(System.Collections.Immutable.ImmutableDictionary<string, string> config);

    /// <summary>
    /// Kafka's DeleteRecords: moves the log start offset up to <paramref name="offset"/> (-1: the
    /// high watermark), so reads below it fail with OFFSET_OUT_OF_RANGE. Returns the new log start.
    /// </summary>
    [Alias("DeleteRecords")]
    Task<long> DeleteRecordsAsync(long offset);

    /// <summary>
    /// Walks every batch of every segment, checking its header and CRC-32C, and reports each corrupt
    /// range with its segment and position (<c>orka partitions verify</c>). Reads the whole log once;
    /// fetches and appends go on meanwhile.
    /// </summary>
    [Alias("Verify"), Orleans.Concurrency.AlwaysInterleave]
    Task<PartitionVerification> VerifyAsync();

    /// <summary>
    /// The explicit repair of a corrupt range (<c>orka partitions repair --skip</c>): rewrites the
    /// closed segments holding offsets <paramref name="fromOffset"/>..<paramref name="toOffset"/>
    /// without them. Later batches keep their offsets; the skipped ones become a gap that fetches
    /// step over, as after compaction. Refused (CORRUPT_MESSAGE, nothing changed) unless every
    /// corrupt range there lies inside the skipped offsets and no valid batch straddles their bounds.
    /// </summary>
    [Alias("SkipCorrupt")]
    Task<PartitionRepair> SkipCorruptAsync(long fromOffset, long toOffset);

    /// <summary>Closes and removes the partition's log from this node.</summary>
    [Alias("DeleteLog")]
    Task DeleteLogAsync();
}
