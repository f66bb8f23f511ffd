namespace Orka.Storage;

/// <summary>
/// Per-partition log settings, named after Kafka's topic configs (<c>segment.bytes</c> is
/// <see cref="SegmentBytes"/>, and so on). Immutable; a new instance is applied to a running log.
/// </summary>
public sealed record LogConfig
{
    /// <summary><c>segment.bytes</c>: roll the active segment when it would grow past this size.</summary>
    public long SegmentBytes { get; init; } = 1L << 30;

    /// <summary><c>segment.ms</c>: roll the active segment when its first batch is older than this.</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>index.interval.bytes</c>: bytes of log between two offset/time index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary><c>flush.messages</c>: fsync after this many records (long.MaxValue = leave it to flush.ms and the OS).</summary>
    public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary><c>flush.ms</c>: fsync when unflushed data is older than this (long.MaxValue = never by time).</summary>
    public long FlushMs { get; init; } = long.MaxValue;

    /// <summary><c>retention.ms</c>: delete closed segments whose newest record is older than this (-1 = keep forever).</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>retention.bytes</c>: delete the oldest closed segments while the log is larger than this (-1 = no limit).</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary><c>max.message.bytes</c>: the largest record batch the log accepts.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024 + 12;

    /// <summary><c>cleanup.policy</c>: delete (retention), compact (latest record per key), or both.</summary>
    public CleanupPolicy CleanupPolicy { get; init; } = CleanupPolicy.Delete;

    /// <summary>
    /// <c>delete.retention.ms</c>: how long a tombstone (a record with a null value) stays readable
    /// after the cleaner first rewrote the batch that holds it, so that consumers see the delete.
    /// </summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary>
    /// <c>min.cleanable.dirty.ratio</c>: the cleaner rewrites a compacted log only when the bytes
    /// of closed segments not yet cleaned are at least this share of all closed bytes.
    /// </summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>The defaults Kafka uses.</summary>
    public static LogConfig Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> for a setting the log cannot honour.</summary>
    public void Validate()
    {
        // Positions in the offset index are int32, so a segment cannot pass 2 GiB (Kafka's limit too).
        Check(SegmentBytes is >= RecordBatchHeader.Size and <= int.MaxValue, nameof(SegmentBytes), SegmentBytes);
        Check(SegmentMs >= 1, nameof(SegmentMs), SegmentMs);
        Check(IndexIntervalBytes >= 0, nameof(IndexIntervalBytes), IndexIntervalBytes);
        Check(FlushMessages >= 1, nameof(FlushMessages), FlushMessages);
        Check(FlushMs >= 0, nameof(FlushMs), FlushMs);
        Check(RetentionMs >= -1, nameof(RetentionMs), RetentionMs);
        Check(RetentionBytes >= -1, nameof(RetentionBytes), RetentionBytes);
        Check(MaxMessageBytes >= RecordBatchHeader.Size, nameof(MaxMessageBytes), MaxMessageBytes);
        Check(CleanupPolicy is CleanupPolicy.Delete or CleanupPolicy.Compact or (CleanupPolicy.Compact | CleanupPolicy.Delete), nameof(CleanupPolicy), (long)CleanupPolicy);
        Check(DeleteRetentionMs >= 0, nameof(DeleteRetentionMs), DeleteRetentionMs);
        if (!(MinCleanableDirtyRatio is >= 0 and <= 1))
        {
            throw new ArgumentException($"LogConfig.{nameof(MinCleanableDirtyRatio)} = {MinCleanableDirtyRatio} is outside [0, 1].", nameof(MinCleanableDirtyRatio));
        }

        static void Check(bool valid, string name, long value)
        {
            if (!valid)
            {
                throw new ArgumentException($"LogConfig.{name} = {value} is out of range.", name);
            }
        }
    }
}
