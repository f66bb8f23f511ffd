using System.Text;
using Orka.Gateway.Api.Search;

namespace Orka.Gateway.Tests;

/// <summary>The search's JSON path conditions on their own (no cluster).</summary>
public sealed class JsonPathConditionTests
{
    private const string Order = """{"user":{"id":42,"name":"Ada"},"items":[{"sku":"A-1","qty":2}],"total":99.5,"paid":true,"note":null}""";

    // Intent: each operator and path form gives the answer a reader of the expression expects.
    [Theory]
    [InlineData("$.user.id == 42", true)]
    [InlineData("$.user.id == 42.0", true)]
    [InlineData("$.user.id != 42", false)]
    [InlineData("$.user.id == '42'", false)]
    [InlineData("$.user.name == 'Ada'", true)]
    [InlineData("$['user'][\"name\"] == \"Ada\"", true)]
    [InlineData("$.items[0].sku == 'A-1'", true)]
    [InlineData("$.items[1].sku exists", false)]
    [InlineData("$.total >= 99.5", true)]
    [InlineData("$.total < 99.5", false)]
    [InlineData("$.user.name > 'Ab'", true)]
    [InlineData("$.user.name > 'Ae'", false)]
    [InlineData("$.paid == true", true)]
    [InlineData("$.note exists", true)]
    [InlineData("$.note == null", true)]
    [InlineData("$.status", false)]
    [InlineData("$.status != 'x'", true)]
    [InlineData("$.user", true)]
    [InlineData("$.user > 1", false)]
    public void JsonPath_OnAnOrder_MatchesAsWritten(string expression, bool expected) =>
        Assert.Equal(expected, JsonPathCondition.Parse(expression).Matches(Encoding.UTF8.GetBytes(Order)));

    // Intent: a value that is not JSON matches no condition, not even != (there is no path to compare).
    [Fact]
    public void JsonPath_ValueNotJson_NoMatch() =>
        Assert.False(JsonPathCondition.Parse("$.a exists").Matches("plain text"u8));

    // Intent: malformed expressions are refused with InvalidRequest, never evaluated.
    [Theory]
    [InlineData("user.id == 1")]
    [InlineData("$.a ~ 1")]
    [InlineData("$.a == [1]")]
    [InlineData("$.a[x] == 1")]
    [InlineData("$. == 1")]
    [InlineData("$.a == nope")]
    public void JsonPath_Malformed_InvalidRequest(string expression) =>
        Assert.Equal(OrkaErrorCode.InvalidRequest, Assert.Throws<OrkaException>(() => JsonPathCondition.Parse(expression)).Code);
}
