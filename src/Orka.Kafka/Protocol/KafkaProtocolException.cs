namespace Orka.Kafka.Protocol;

/// <summary>
/// A request that cannot be parsed (truncated field, negative length, unknown API). The listener
/// answers it by closing the connection, as a Kafka broker does: without a parsed header there is
/// no correlation id to answer with, and a half-parsed body must not reach a grain.
/// </summary>
public sealed class KafkaProtocolException(string message) : Exception(message);
