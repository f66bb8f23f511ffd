using Orka.Storage;

namespace Orka.Broker.Partitions;

/// <summary>Turns storage failures into the error codes every Orka surface speaks.</summary>
internal static class StorageErrors
{
    public static OrkaException ToOrka(StorageException e) => new(
        e.Kind switch
        {
            StorageErrorKind.CorruptRecord => OrkaErrorCode.CorruptMessage,
            StorageErrorKind.OffsetOutOfRange => OrkaErrorCode.OffsetOutOfRange,
            StorageErrorKind.RecordTooLarge => OrkaErrorCode.MessageTooLarge,
            StorageErrorKind.InvalidName => OrkaErrorCode.InvalidTopic,
            _ => OrkaErrorCode.KafkaStorageError,
        },
        e.Message);
}
