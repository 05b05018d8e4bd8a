using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TokenAuth.Tests.Sample;

/// <summary>
/// Sudo and tenants in the real sample: its Program, the demo users and tenants of appsettings.json, and tokens
/// from its own token endpoint (admin-client has the <c>sudo</c> scope, demo-client has not).
/// </summary>
public sealed class SampleSudoTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Me_AdminClientSudoUidInAcme_ActsAsAliceWithAdminClientAsActor()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        var me = await OkAsync(await GetAsync("/api/me?sudo=uid:1001&tenantCode=acme", token));

        Assert.Equal("1001", me.GetProperty("subject").GetString());
        Assert.Equal("Alice", me.GetProperty("name").GetString());
        Assert.Equal("admin-client", me.GetProperty("actor").GetString());
        Assert.Equal("admin-client", me.GetProperty("clientId").GetString());
        Assert.Equal("t-100", me.GetProperty("tenantId").GetString());
        Assert.Equal("acme", me.GetProperty("tenantCode").GetString());
        Assert.Equal(["read", "write", "sudo"], me.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Me_AdminClientWithoutSudo_IsTheClientItself()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        var me = await OkAsync(await GetAsync("/api/me", token));

        Assert.Equal("admin-client", me.GetProperty("subject").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("actor").ValueKind);
        Assert.Equal(JsonValueKind.Null, me.GetProperty("tenantId").ValueKind);
    }

    [Theory]
    [InlineData("uid:1002")]
    [InlineData("loginName:bob")]
    [InlineData("email:BOB@example.com")]
    [InlineData("mobile:13800000002")]
    [InlineData("username:bob")]
    public async Task Me_AdminClientEachSudoForm_ActsAsBob(string sudo)
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        var me = await OkAsync(await GetAsync("/api/me?sudo=" + sudo, token));

        Assert.Equal("1002", me.GetProperty("subject").GetString());
        Assert.Equal("Bob", me.GetProperty("name").GetString());
        Assert.Equal("admin-client", me.GetProperty("actor").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("tenantId").ValueKind);
        Assert.Equal(JsonValueKind.Null, me.GetProperty("tenantCode").ValueKind);
    }

    [Fact]
    public async Task Me_AdminClientSudoHeader_ActsAsBob()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        var me = await OkAsync(await GetAsync("/api/me", token, ("Sudo", "loginName:bob")));

        Assert.Equal("1002", me.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Me_DemoClientWithSudo_403InsufficientScopeSudo()
    {
        var token = await GetTokenAsync("demo-client", "demo-secret");

        using var response = await GetAsync("/api/me?sudo=uid:1001", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
        Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
        Assert.Contains("scope=\"sudo\"", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Me_SudoAsRoot_403Refused()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        using var response = await GetAsync("/api/me?sudo=uid:1", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await ReadJsonAsync(response);
        Assert.Equal("access_denied", problem.GetProperty("error").GetString());
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Me_SudoUnknownUid_404ProblemDetails()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        using var response = await GetAsync("/api/me?sudo=uid:9999", token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("User with uid '9999' not found.", (await ReadJsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Me_SudoMalformed_400ListingAcceptedForms()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        using var response = await GetAsync("/api/me?sudo=phone:13800000001", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("uid:<id>, loginName:<name>, email:<address> or mobile:<number>", (await ReadJsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tenantCode=globex")]
    [InlineData("tenantId=t-200")]
    public async Task Me_SudoUid1001InGlobex_IsAliceOfGlobex(string tenant)
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        var me = await OkAsync(await GetAsync("/api/me?sudo=uid:1001&" + tenant, token));

        Assert.Equal("1001", me.GetProperty("subject").GetString());
        Assert.Equal("Alice of Globex", me.GetProperty("name").GetString());
        Assert.Equal("t-200", me.GetProperty("tenantId").GetString());
        Assert.Equal("globex", me.GetProperty("tenantCode").GetString());
    }

    [Fact]
    public async Task Me_SudoBobInAcme_404InTenant()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        using var response = await GetAsync("/api/me?sudo=loginName:bob&tenantCode=acme", token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("User with loginName 'bob' not found in tenant 'acme'.", (await ReadJsonAsync(response)).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("tenantId=t-100&tenantCode=globex", HttpStatusCode.BadRequest)]
    [InlineData("tenantCode=initech", HttpStatusCode.NotFound)]
    public async Task Me_BadTenant_RefusedWithStatus(string tenant, HttpStatusCode status)
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        using var response = await GetAsync("/api/me?" + tenant, token);

        Assert.Equal(status, response.StatusCode);
    }

    [Fact]
    public async Task Me_DemoClientAsksForTenant_403()
    {
        var token = await GetTokenAsync("demo-client", "demo-secret");

        using var response = await GetAsync("/api/me?tenantCode=acme", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TenantMe_WithoutTenant_403()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        using var response = await GetAsync("/api/tenant/me", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TenantMe_SudoWithoutTenant_403()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        using var response = await GetAsync("/api/tenant/me?sudo=uid:1001", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TenantMe_AdminClientWithTenantCodeAcme_200()
    {
        var token = await GetTokenAsync("admin-client", "admin-secret");

        var me = await OkAsync(await GetAsync("/api/tenant/me?tenantCode=acme", token));

        Assert.Equal("admin-client", me.GetProperty("subject").GetString());
        Assert.Equal("t-100", me.GetProperty("tenantId").GetString());
        Assert.Equal("acme", me.GetProperty("tenantCode").GetString());
    }

    [Fact]
    public async Task TenantMe_WithoutToken_401()
    {
        using var response = await GetAsync("/api/tenant/me?tenantCode=acme", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<string> GetTokenAsync(string clientId, string clientSecret)
    {
        using var content = new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", clientId),
            new("client_secret", clientSecret),
        ]);
        using var response = await _client.PostAsync(new Uri("/oauth/token", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ReadJsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await _client.SendAsync(request);
    }

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var json = await ReadJsonAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {json}");
            return json;
        }
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
