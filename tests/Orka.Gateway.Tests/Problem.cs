using System.Net;
using System.Text.Json;

namespace Orka.Gateway.Tests;

/// <summary>Assertions on the gateway's problem+json answers.</summary>
internal static class Problem
{
    /// <summary>Asserts status, content type and Orka error code; returns the problem's detail.</summary>
    public static async Task<string> AssertAsync(HttpResponseMessage response, HttpStatusCode status, OrkaErrorCode code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal((int)code, json.RootElement.GetProperty("code").GetInt32());
        Assert.Equal(code.ToString(), json.RootElement.GetProperty("error").GetString());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        var detail = json.RootElement.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        return detail!;
    }
}
