namespace Orka.Broker.Partitions;

/// <summary>An idempotent producer's batch as appended: its sequence range and the offsets it got.</summary>
internal readonly record struct ProducedBatch(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset);
