namespace Orka.Gateway.Contracts;

/// <summary>
/// Body of <c>POST /api/topics/{name}/records</c>. <see cref="Encoding"/> says how string keys,
/// values and header values are turned into bytes: <c>text</c> (UTF-8, the default) or <c>base64</c>
/// (binary). A key or value that is a JSON object, array, number or boolean is stored as its JSON text.
/// </summary>
public sealed record ProduceRequest(IReadOnlyList<ProduceRecord> Records, string? Encoding = null);
