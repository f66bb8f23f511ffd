using System.Xml.Linq;

namespace Orka.Architecture.Tests;

/// <summary>
/// The projects under <c>src/</c> as their project files declare them: each one's project references
/// and package references, and the closure of what it references directly or through other projects.
/// </summary>
public sealed class ProjectGraph
{
    private readonly Dictionary<string, Project> _projects;

    private ProjectGraph(Dictionary<string, Project> projects) => _projects = projects;

    public IEnumerable<string> Names => _projects.Keys.Order(StringComparer.Ordinal);

    /// <summary>Loads every <c>src/*/*.csproj</c> of the repository this test runs from.</summary>
    public static ProjectGraph Load()
    {
        var root = RepositoryRoot();
        var projects = new Dictionary<string, Project>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var xml = XDocument.Load(file);
            var references = xml.Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .ToList();
            var packages = xml.Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).ToList();
            projects[Path.GetFileNameWithoutExtension(file)] = new Project(references, packages);
        }

        return new ProjectGraph(projects);
    }

    /// <summary>Every project <paramref name="name"/> references, directly or through another project.</summary>
    public IReadOnlySet<string> ReferencedProjects(string name)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(Require(name).References);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next) && _projects.TryGetValue(next, out var project))
            {
                foreach (var reference in project.References)
                {
                    pending.Push(reference);
                }
            }
        }

        return seen;
    }

    /// <summary>Every package <paramref name="name"/> or a project it references names.</summary>
    public IReadOnlySet<string> Packages(string name) =>
        new SortedSet<string>(
            ReferencedProjects(name).Where(_projects.ContainsKey).Prepend(name).SelectMany(p => _projects[p].Packages),
            StringComparer.Ordinal);

    private Project Require(string name) =>
        _projects.TryGetValue(name, out var project) ? project : throw new ArgumentException($"No project {name} under src/.", nameof(name));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Orleans.sln above {AppContext.BaseDirectory}.");
    }

    private sealed record Project(IReadOnlyList<string> References, IReadOnlyList<string> Packages);
}
