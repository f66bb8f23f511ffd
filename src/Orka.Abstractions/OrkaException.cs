namespace Orka;

/// <summary>
/// An Orka failure that carries its <see cref="OrkaErrorCode"/>. Thrown by grains and travels to
/// Orleans clients intact, so the CLI, the gateway and the Kafka listener can all report the code.
/// </summary>
[GenerateSerializer, Alias("Orka.OrkaException")]
public sealed class OrkaException : Exception
{
    public OrkaException(OrkaErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException) => Code = code;

    /// <summary>What went wrong, as a Kafka error code.</summary>
    [Id(0)]
    public OrkaErrorCode Code { get; private set; }

    /// <summary>Whether retrying the same request later may succeed.</summary>
    public bool IsRetriable => OrkaErrors.IsRetriable(Code);
}
