namespace Orka.Records;

/// <summary>
/// Bytes that are not a valid RecordBatch v2: a bad length, magic, CRC, offset delta, record
/// encoding or compressed payload (Kafka's CORRUPT_MESSAGE). The message names the batch (its base
/// offset or byte position) and what is wrong. Thrown by the readers and codecs of this library;
/// the log engine turns it into its own CorruptRecord error where a stored segment is at fault.
/// </summary>
public sealed class CorruptRecordException(string message, Exception? inner = null) : Exception(message, inner);
