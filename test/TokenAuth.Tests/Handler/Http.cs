using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TokenAuth.Tests.Handler;

/// <summary>Assertions on TokenAuth's HTTP answers.</summary>
internal static class Http
{
    public static string Challenge(HttpResponseMessage response)
        => string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString()));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
        => await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? error)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (error is null)
        {
            Assert.False(problem.TryGetProperty("error", out _));
        }
        else
        {
            Assert.Equal(error, problem.GetProperty("error").GetString());
        }
    }
}
