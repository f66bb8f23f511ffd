using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orka.Cli.Output;

/// <summary>
/// The <c>--output table|json|yaml</c> option of every list and describe command, and the one place
/// that writes a command's result in the chosen format. <c>table</c> is the human format; <c>json</c>
/// and <c>yaml</c> write the same view records (camelCase field names, documented in the README's
/// command table) so scripts can rely on their shape.
/// </summary>
internal static class CliOutput
{
    public const string Table = "table";
    public const string Json = "json";
    public const string Yaml = "yaml";

    // Relaxed escaping: the output goes to a terminal or a script, never into HTML, so '+' and
    // non-ASCII text stay readable.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>A new <c>--output</c> option (one per command: an option belongs to the command it is added to).</summary>
    public static Option<string> CreateOption()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "Output format: table (for people), json or yaml (for scripts)",
            DefaultValueFactory = _ => Table,
        };
        option.AcceptOnlyFromAmong(Table, Json, Yaml);
        return option;
    }

    /// <summary>
    /// Writes <paramref name="view"/> as JSON or YAML when the command line asks for it, otherwise runs
    /// <paramref name="table"/>, which prints the human format.
    /// </summary>
    public static void Write<T>(ParseResult parse, Option<string> option, T view, Action table)
    {
        switch (parse.GetValue(option))
        {
            case Json:
                Console.Out.WriteLine(JsonSerializer.Serialize(view, JsonOptions));
                break;
            case Yaml:
                Console.Out.Write(YamlWriter.Write(JsonSerializer.SerializeToElement(view, JsonOptions)));
                break;
            default:
                table();
                break;
        }
    }

    /// <summary>Whether the command line asks for table output (the human format).</summary>
    public static bool IsTable(ParseResult parse, Option<string> option) => parse.GetValue(option) is Table or null;
}
