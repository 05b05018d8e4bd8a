using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TokenAuth.Tests.Sample;

/// <summary>The real sample app (its Program, appsettings.json and controllers) through WebApplicationFactory.</summary>
public sealed class SampleAppTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task TokenEndpoint_DemoClient_ReturnsReadWriteBearerToken()
    {
        using var response = await RequestTokenAsync("demo-client", "demo-secret");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal(43, json.GetProperty("access_token").GetString()!.Length);
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3600, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("read write", json.GetProperty("scope").GetString());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task TokenEndpoint_AdminClient_ReturnsReadWriteSudo()
    {
        using var response = await RequestTokenAsync("admin-client", "admin-secret");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("read write sudo", (await ReadJsonAsync(response)).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task TokenEndpoint_WrongSecret_Returns401InvalidClient()
    {
        using var response = await RequestTokenAsync("demo-client", "admin-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task TokenEndpoint_DemoClientAsksForSudo_Returns400InvalidScope()
    {
        using var response = await RequestTokenAsync("demo-client", "demo-secret", "sudo");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_scope", (await ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("authorization", "authorizationHeader")]
    [InlineData("Access-Token", "header")]
    [InlineData("access_token", "header")]
    [InlineData("query", "query")]
    [InlineData("form", "form")]
    public async Task Me_TokenFromEachSource_ReturnsCallerAndSource(string how, string expectedSource)
    {
        var token = await GetTokenAsync("demo-client", "demo-secret");
        using var request = how switch
        {
            "query" => new HttpRequestMessage(HttpMethod.Get, "/api/me?access_token=" + Uri.EscapeDataString(token)),
            "form" => new HttpRequestMessage(HttpMethod.Post, "/api/me") { Content = new FormUrlEncodedContent([new("access_token", token)]) },
            _ => new HttpRequestMessage(HttpMethod.Get, "/api/me"),
        };
        if (how == "authorization")
        {
            // RFC 7235 §2.1: the scheme is case-insensitive.
            request.Headers.Authorization = new AuthenticationHeaderValue("bearer", token);
        }
        else if (how is "Access-Token" or "access_token")
        {
            Assert.True(request.Headers.TryAddWithoutValidation(how, token));
        }

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal("demo-client", json.GetProperty("subject").GetString());
        Assert.Equal("demo-client", json.GetProperty("clientId").GetString());
        Assert.Equal("Demo client", json.GetProperty("name").GetString());
        Assert.Equal(["read", "write"], json.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(expectedSource, json.GetProperty("tokenSource").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("tenantId").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("tenantCode").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("actor").ValueKind);
        if (how == "query")
        {
            // RFC 6750 §2.3: a response to a request with the token in the URI must not be cached.
            Assert.True(response.Headers.CacheControl?.NoStore);
        }
    }

    [Fact]
    public async Task Me_WithoutToken_Returns401BearerChallenge()
    {
        using var response = await _client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Me_UnknownToken_Returns401InvalidToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Public_Anonymous_Returns200()
    {
        using var response = await _client.GetAsync(new Uri("/api/public", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await ReadJsonAsync(response)).GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Profile_WithToken_Returns200()
    {
        var token = await GetTokenAsync("demo-client", "demo-secret");

        using var response = await SendAsync(HttpMethod.Get, "/api/profile", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal("demo-client", json.GetProperty("subject").GetString());
        Assert.Equal("demo-client", json.GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task Profile_WithoutToken_Returns401()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/profile", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task ProfilePut_ReadOnlyToken_Returns403InsufficientScope()
    {
        var token = await GetTokenAsync("demo-client", "demo-secret", "read");

        using var response = await SendAsync(HttpMethod.Put, "/api/profile", token, new { text = "hi" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
        Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
        Assert.Contains("scope=\"write\"", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfilePut_ReadWriteToken_Returns200()
    {
        var token = await GetTokenAsync("demo-client", "demo-secret", "read write");

        using var response = await SendAsync(HttpMethod.Put, "/api/profile", token, new { text = "hi" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hi", (await ReadJsonAsync(response)).GetProperty("updated").GetString());
    }

    [Fact]
    public async Task Notes_ReadOnlyToken_Returns403InsufficientScope()
    {
        var token = await GetTokenAsync("demo-client", "demo-secret", "read");

        using var response = await SendAsync(HttpMethod.Post, "/api/notes", token, new { text = "hi" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
        Assert.Contains("scope=\"write\"", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notes_WriteToken_Returns201()
    {
        var token = await GetTokenAsync("demo-client", "demo-secret", "write");

        using var response = await SendAsync(HttpMethod.Post, "/api/notes", token, new { text = "hi" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith("/api/notes/", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var json = await ReadJsonAsync(response);
        Assert.Equal("hi", json.GetProperty("text").GetString());
        Assert.Equal("demo-client", json.GetProperty("author").GetString());
    }

    [Fact]
    public async Task Notes_WithoutToken_Returns401()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/notes", token: null, new { text = "hi" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<HttpResponseMessage> RequestTokenAsync(string clientId, string clientSecret, string? scope = null)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_id", clientId),
            new("client_secret", clientSecret),
        };
        if (scope is not null)
        {
            fields.Add(new("scope", scope));
        }

        using var content = new FormUrlEncodedContent(fields);
        return await _client.PostAsync(new Uri("/oauth/token", UriKind.Relative), content);
    }

    private async Task<string> GetTokenAsync(string clientId, string clientSecret, string? scope = null)
    {
        using var response = await RequestTokenAsync(clientId, clientSecret, scope);
        var json = await ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {json}");
        if (scope is not null)
        {
            Assert.Equal(scope, json.GetProperty("scope").GetString());
        }

        return json.GetProperty("access_token").GetString()!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await _client.SendAsync(request);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
