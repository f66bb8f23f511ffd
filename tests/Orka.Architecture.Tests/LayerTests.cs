namespace Orka.Architecture.Tests;

/// <summary>
/// The layers of docs/architecture.md, checked on the project files: a forbidden reference, direct or
/// through another project, fails the build's tests with the path to remove.
/// </summary>
public sealed class LayerTests
{
    private static readonly ProjectGraph Graph = ProjectGraph.Load();

    public static TheoryData<string, string> ForbiddenProjectReferences => new()
    {
        // The record format and the log engine are plain libraries.
        { "Orka.Records", "Orka.Abstractions" },
        { "Orka.Records", "Orka.Storage" },
        { "Orka.Records", "Orka.Broker" },
        { "Orka.Storage", "Orka.Abstractions" },
        { "Orka.Storage", "Orka.Broker" },
        // Contracts stand alone.
        { "Orka.Abstractions", "Orka.Records" },
        { "Orka.Abstractions", "Orka.Storage" },
        { "Orka.Abstractions", "Orka.Broker" },
        // The Kafka listener sees contracts and the record format only.
        { "Orka.Kafka", "Orka.Broker" },
        { "Orka.Kafka", "Orka.Storage" },
        // Clients talk to the cluster through its contracts, never its insides.
        { "Orka.Client", "Orka.Broker" },
        { "Orka.Client", "Orka.Storage" },
        { "Orka.Gateway", "Orka.Broker" },
        { "Orka.Gateway", "Orka.Storage" },
        { "Orka.Cli", "Orka.Broker" },
        { "Orka.Cli", "Orka.Storage" },
    };

    // Intent: no project reaches a layer it must not know, directly or transitively.
    [Theory]
    [MemberData(nameof(ForbiddenProjectReferences))]
    public void Project_ForbiddenLayer_NotReferenced(string project, string forbidden)
    {
        var referenced = Graph.ReferencedProjects(project);

        Assert.False(referenced.Contains(forbidden), $"{project} references {forbidden} (all: {string.Join(", ", referenced)}); see docs/architecture.md, \"Layers\".");
    }

    // Intent: the record format and the log engine build without Orleans.
    [Theory]
    [InlineData("Orka.Records")]
    [InlineData("Orka.Storage")]
    public void PlainLibrary_NoOrleansPackage(string project)
    {
        var orleans = Graph.Packages(project).Where(p => p.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)).ToList();

        Assert.True(orleans.Count == 0, $"{project} uses {string.Join(", ", orleans)}; it must stay free of Orleans.");
    }

    // Intent: the graph really was read (a wrong root or pattern would make every rule above pass vacuously).
    [Fact]
    public void Graph_ReadsEveryLayer_WithTheirReferences()
    {
        Assert.Superset(
            new SortedSet<string> { "Orka.Abstractions", "Orka.Broker", "Orka.Cli", "Orka.Client", "Orka.Gateway", "Orka.Kafka", "Orka.Records", "Orka.Silo", "Orka.Storage" },
            new SortedSet<string>(Graph.Names));
        Assert.Contains("Orka.Storage", Graph.ReferencedProjects("Orka.Silo"));
        Assert.Contains("Orka.Records", Graph.ReferencedProjects("Orka.Storage"));
        Assert.Contains("Microsoft.Orleans.Server", Graph.Packages("Orka.Broker"));
    }
}
