namespace Orka.Gateway.Contracts;

/// <summary>
/// One page of a list. Pass <see cref="NextCursor"/> back as <c>?cursor=</c> for the next page;
/// it is null on the last page. Cursors are opaque and stay valid when items are added or removed.
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
