using System.Globalization;
using System.Text.Json;

namespace Orka.Gateway.Api.Search;

/// <summary>
/// A condition on a JSON record value, as the search's <c>json</c> parameter writes it:
/// <c>PATH</c> or <c>PATH exists</c> (the path leads somewhere, null included), or <c>PATH OP LITERAL</c>
/// with OP one of <c>== != &lt; &lt;= &gt; &gt;=</c> and LITERAL a JSON number, string (double or single
/// quotes), <c>true</c>, <c>false</c> or <c>null</c>. PATH starts at <c>$</c> and steps by <c>.name</c>,
/// <c>['name']</c> or <c>[index]</c>: <c>$.user.id == 42</c>, <c>$.items[0].sku == 'A-1'</c>,
/// <c>$.total &gt;= 100</c>. Numbers compare by value (<c>42 == 42.0</c>); the orderings compare two
/// numbers or two strings (ordinal) and are false otherwise; <c>!=</c> is true when the path is missing.
/// A value that is not JSON matches nothing.
/// </summary>
public sealed class JsonPathCondition
{
    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "<", ">"];

    private readonly IReadOnlyList<object> _steps; // string: property name, int: array index
    private readonly string? _operator; // null: exists
    private readonly JsonElement _literal;

    private JsonPathCondition(IReadOnlyList<object> steps, string? op, JsonElement literal)
    {
        _steps = steps;
        _operator = op;
        _literal = literal;
    }

    /// <summary>Parses <paramref name="expression"/>; InvalidRequest saying what is wrong and where.</summary>
    public static JsonPathCondition Parse(string expression)
    {
        var text = expression.Trim();
        if (!text.StartsWith('$'))
        {
            throw Invalid(expression, "it must start with $ (the record value), e.g. $.user.id == 42");
        }

        var steps = new List<object>();
        var at = 1;
        while (at < text.Length && text[at] is '.' or '[')
        {
            if (text[at] == '.')
            {
                var start = ++at;
                while (at < text.Length && (char.IsLetterOrDigit(text[at]) || text[at] is '_' or '-' or '$'))
                {
                    at++;
                }

                if (at == start)
                {
                    throw Invalid(expression, $"a property name is missing after '.' at position {start}");
                }

                steps.Add(text[start..at]);
            }
            else
            {
                var close = text.IndexOf(']', at);
                if (close < 0)
                {
                    throw Invalid(expression, $"'[' at position {at} is never closed");
                }

                var inside = text[(at + 1)..close].Trim();
                if (inside.Length >= 2 && inside[0] is '\'' or '"' && inside[^1] == inside[0])
                {
                    steps.Add(inside[1..^1]);
                }
                else if (int.TryParse(inside, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(index);
                }
                else
                {
                    throw Invalid(expression, $"[{inside}] is neither an array index nor a quoted name");
                }

                at = close + 1;
            }
        }

        var rest = text[at..].Trim();
        if (rest.Length == 0 || rest == "exists")
        {
            return new JsonPathCondition(steps, null, default);
        }

        var op = Operators.FirstOrDefault(rest.StartsWith)
            ?? throw Invalid(expression, $"expected 'exists' or an operator (== != < <= > >=) after the path, got '{rest}'");
        return new JsonPathCondition(steps, op, ParseLiteral(expression, rest[op.Length..].Trim()));
    }

    /// <summary>True when <paramref name="utf8Json"/> is a JSON document that meets the condition.</summary>
    public bool Matches(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        JsonDocument document;
        try
        {
            if (!JsonDocument.TryParseValue(ref reader, out var parsed))
            {
                return false;
            }

            document = parsed;
        }
        catch (JsonException)
        {
            return false; // not JSON: no path to look at
        }

        using (document)
        {
            return Test(Walk(document.RootElement));
        }
    }

    private JsonElement? Walk(JsonElement element)
    {
        foreach (var step in _steps)
        {
            if (step is string name && element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child))
            {
                element = child;
            }
            else if (step is int index && element.ValueKind == JsonValueKind.Array && index < element.GetArrayLength())
            {
                element = element[index];
            }
            else
            {
                return null;
            }
        }

        return element;
    }

    private bool Test(JsonElement? found)
    {
        if (_operator is null)
        {
            return found is not null;
        }

        if (found is not { } value)
        {
            return _operator == "!=";
        }

        var order = Compare(value, _literal);
        return _operator switch
        {
            "==" => order == 0,
            "!=" => order != 0,
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            _ => order >= 0, // ">="; null (not comparable) is false for every ordering
        };
    }

    /// <summary>-1/0/1 for two numbers or two strings; 0 or null (unequal, never ordered) for anything else.</summary>
    private static int? Compare(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
        {
            return a.GetDouble().CompareTo(b.GetDouble());
        }

        if (a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String)
        {
            return Math.Sign(string.CompareOrdinal(a.GetString(), b.GetString()));
        }

        // true, false, null, objects and arrays: equal or not, never ordered.
        return JsonElement.DeepEquals(a, b) ? 0 : null;
    }

    private static JsonElement ParseLiteral(string expression, string literal)
    {
        if (literal.Length >= 2 && literal[0] == '\'' && literal[^1] == '\'')
        {
            literal = JsonSerializer.Serialize(literal[1..^1]);
        }

        try
        {
            using var document = JsonDocument.Parse(literal);
            if (document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                throw Invalid(expression, "compare with a number, a string, true, false or null");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw Invalid(expression, $"'{literal}' is not a number, a quoted string, true, false or null");
        }
    }

    private static OrkaException Invalid(string expression, string why) =>
        new(OrkaErrorCode.InvalidRequest, $"json filter '{expression}' is not valid: {why}.");
}
