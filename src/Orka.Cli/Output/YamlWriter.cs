using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Orka.Cli.Output;

/// <summary>
/// Writes a JSON document as block-style YAML 1.2 with the same structure: objects become mappings,
/// arrays sequences, strings are plain when that cannot be misread (as a number, bool, null or YAML
/// syntax) and double-quoted with JSON escapes otherwise, which YAML reads the same way.
/// </summary>
internal static partial class YamlWriter
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~", ".nan", ".inf", "-.inf",
    };

    // JSON string escapes are YAML double-quoted escapes; relaxed so that text stays readable.
    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(JsonElement element)
    {
        var yaml = new StringBuilder();
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when element.EnumerateObject().Any():
                WriteMapping(yaml, element, 0);
                break;
            case JsonValueKind.Array when element.GetArrayLength() > 0:
                WriteSequence(yaml, element, 0);
                break;
            default:
                yaml.Append(Scalar(element)).Append('\n');
                break;
        }

        return yaml.ToString();
    }

    private static void WriteMapping(StringBuilder yaml, JsonElement mapping, int indent, bool firstLineIndented = true)
    {
        var first = true;
        foreach (var property in mapping.EnumerateObject())
        {
            if (!first || firstLineIndented)
            {
                yaml.Append(' ', indent);
            }

            first = false;
            yaml.Append(Text(property.Name)).Append(':');
            WriteValue(yaml, property.Value, indent);
        }
    }

    private static void WriteSequence(StringBuilder yaml, JsonElement sequence, int indent)
    {
        foreach (var item in sequence.EnumerateArray())
        {
            yaml.Append(' ', indent).Append('-');
            if (item.ValueKind == JsonValueKind.Object && item.EnumerateObject().Any())
            {
                // "- key: value" with the item's other keys under the first one.
                yaml.Append(' ');
                WriteMapping(yaml, item, indent + 2, firstLineIndented: false);
            }
            else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() > 0)
            {
                yaml.Append('\n');
                WriteSequence(yaml, item, indent + 2);
            }
            else
            {
                yaml.Append(' ').Append(Scalar(item)).Append('\n');
            }
        }
    }

    /// <summary>Writes what follows "key:" — a scalar on the same line, a collection on the lines below.</summary>
    private static void WriteValue(StringBuilder yaml, JsonElement value, int indent)
    {
        if (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any())
        {
            yaml.Append('\n');
            WriteMapping(yaml, value, indent + 2);
        }
        else if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0)
        {
            yaml.Append('\n');
            WriteSequence(yaml, value, indent);
        }
        else
        {
            yaml.Append(' ').Append(Scalar(value)).Append('\n');
        }
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Text(value.GetString()!),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Object => "{}",
        JsonValueKind.Array => "[]",
        _ => "null",
    };

    private static string Text(string text) =>
        PlainSafe().IsMatch(text) && !Reserved.Contains(text) ? text : JsonSerializer.Serialize(text, Quoting);

    // A letter or one of _ / first, then letters, digits and _ . / -: never a number, never YAML syntax.
    [GeneratedRegex("^[A-Za-z_/][A-Za-z0-9_./-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSafe();
}
