namespace Orka.Sample;

/// <summary>What the sample produces and consumes, as JSON.</summary>
/// <param name="Id">The order id, also the record key.</param>
/// <param name="Customer">Who placed it.</param>
/// <param name="Total">Its amount.</param>
public sealed record Order(string Id, string Customer, decimal Total);
