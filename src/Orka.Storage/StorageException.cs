namespace Orka.Storage;

/// <summary>A storage failure with a <see cref="StorageErrorKind"/> that says what kind it was.</summary>
public sealed class StorageException : Exception
{
    public StorageException(StorageErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    public StorageErrorKind Kind { get; }

    /// <summary>For a CorruptRecord found in a stored segment: where it is and which offsets it hides.</summary>
    public CorruptBatchRange? Corruption { get; init; }
}
