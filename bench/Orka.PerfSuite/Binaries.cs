namespace Orka.PerfSuite;

/// <summary>The Release builds the suite drives: the silo and the <c>orka</c> CLI, found from the repository root.</summary>
internal sealed record Binaries(string Silo, string Cli)
{
    public static Binaries Locate(string configuration)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Orleans.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException("run the suite from inside the Orka repository (no Orleans.sln above the binary)");
        }

        var silo = Path.Combine(root.FullName, "src", "Orka.Silo", "bin", configuration, "net10.0", "Orka.Silo.dll");
        var cli = Path.Combine(root.FullName, "src", "Orka.Cli", "bin", configuration, "net10.0", "orka.dll");
        foreach (var path in new[] { silo, cli })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"build first: dotnet build -c {configuration} Orleans.sln (missing {path})");
            }
        }

        return new Binaries(silo, cli);
    }
}
