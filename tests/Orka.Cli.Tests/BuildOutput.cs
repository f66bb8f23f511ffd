namespace Orka.Cli.Tests;

/// <summary>
/// Finds another project's own build output (same configuration and framework as these tests), so
/// that a program runs with its own deps.json rather than the test project's dependency set.
/// </summary>
internal static class BuildOutput
{
    public static string Of(string project, string file)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var repo = testBin;
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Orleans.sln")))
        {
            repo = repo.Parent;
        }

        Assert.True(repo is not null, "the repository root (Orleans.sln) was not found above the test binaries");
        var path = Path.Combine(repo.FullName, "src", project, "bin", configuration, framework, file);
        Assert.True(File.Exists(path), $"{project} was not built: {path}");
        return path;
    }
}
