namespace Orka.Gateway.Contracts;

/// <summary>Where each produced record went, in the order of the request.</summary>
public sealed record ProduceResponse(IReadOnlyList<ProducedRecord> Records);
