using System.Globalization;

namespace Orka;

/// <summary>
/// A silo announces its node id through its Orleans silo name (<c>orka-node-{id}</c>), which the
/// membership table carries to every silo. That is how placement finds "the silo of node N".
/// </summary>
public static class NodeNames
{
    private const string Prefix = "orka-node-";

    public static string SiloName(int nodeId) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{nodeId}");

    public static bool TryParseSiloName(string? siloName, out int nodeId)
    {
        nodeId = -1;
        return siloName is not null
            && siloName.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(siloName.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out nodeId);
    }
}
