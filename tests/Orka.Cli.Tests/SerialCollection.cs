namespace Orka.Cli.Tests;

/// <summary>
/// Test classes that start extra nodes or many orka processes run in this collection: after the
/// parallel ones and one at a time, so that on a loaded machine they do not push the other classes'
/// orka runs past their 10 s connect timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}
