namespace Orka.Storage;

/// <summary>Why a storage operation failed. The broker maps these onto Kafka error codes.</summary>
public enum StorageErrorKind
{
    /// <summary>A batch failed validation: length, magic, CRC or offsets (Kafka CORRUPT_MESSAGE).</summary>
    CorruptRecord,
    /// <summary>A read asked for an offset outside [LogStartOffset, LogEndOffset] (OFFSET_OUT_OF_RANGE).</summary>
    OffsetOutOfRange,
    /// <summary>A batch is larger than <see cref="LogConfig.MaxMessageBytes"/> (MESSAGE_TOO_LARGE).</summary>
    RecordTooLarge,
    /// <summary>A topic or partition name that is not allowed to become a directory name.</summary>
    InvalidName,
    /// <summary>The disk failed us (read-only, I/O error) (KAFKA_STORAGE_ERROR).</summary>
    Io,
    /// <summary>
    /// The data directory's file system is full (KAFKA_STORAGE_ERROR, retriable): the append wrote
    /// nothing and the log takes appends again as soon as space is freed.
    /// </summary>
    NoSpace,
}
