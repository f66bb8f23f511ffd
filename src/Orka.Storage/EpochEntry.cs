namespace Orka.Storage;

/// <summary>One leader epoch of a log: the first offset written under <paramref name="Epoch"/>.</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);
