using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TokenAuth.Tests.Seeds;

/// <summary>
/// Seed 001: <c>GET /api/oauth2/server/tokens?grant_type=client_credentials&amp;client_id&amp;client_secret</c> with
/// <c>Accept: application/json</c>; <c>GET …/tokens/check?token=</c> and <c>GET …/tokens/revoke?token=</c> without client
/// credentials; the token in <c>Authorization:Bearer</c> or <c>?access_token=</c>, with <c>sudo</c> and
/// <c>tenantId</c>/<c>tenantCode</c>. Its STRING fields are JSON strings, <c>expires_in</c> too.
/// </summary>
public sealed class Seed001Tests(SampleFactory factory) : IClassFixture<SampleFactory>
{
    private const string Tokens = "/api/oauth2/server/tokens";
    private const int TwelveHours = 12 * 60 * 60;

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Token_DocumentedGet_AnswersStringFieldsBearerTwelveHours()
    {
        var json = await TokenAsync(Seed.AdminClient, Seed.AdminSecret);

        Seed.AssertMembers(json,
            ("access_token", JsonValueKind.String), ("token_type", JsonValueKind.String),
            ("expires_in", JsonValueKind.String), ("scope", JsonValueKind.String));
        Assert.Equal("bearer", json.GetProperty("token_type").GetString());
        Assert.Equal("43200", json.GetProperty("expires_in").GetString());
        Assert.Contains("sudo", json.GetProperty("scope").GetString()!.Split(' '));
    }

    [Fact]
    public async Task Token_ClientWithRefreshGrant_AlsoAnswersAStringRefreshToken()
    {
        var json = await TokenAsync(Seed.DemoClient, Seed.DemoSecret);

        Assert.Equal(JsonValueKind.String, json.GetProperty("refresh_token").ValueKind);
        Assert.Equal("43200", json.GetProperty("expires_in").GetString());
        Assert.Equal("read write", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Token_TwelveHoursLater_IsRefused()
    {
        var token = (await TokenAsync(Seed.DemoClient, Seed.DemoSecret)).GetProperty("access_token").GetString()!;

        await factory.AssertLifetimeAsync(TimeSpan.FromSeconds(TwelveHours), () => Seed.MeStatusAsync(_client, token));

        Seed.AssertOAuthError(await CheckAsync(token, HttpStatusCode.BadRequest), "invalid_token");
    }

    [Fact]
    public async Task Me_AuthorizationBearerAsTheDocumentWritesIt_AnswersTheClient()
    {
        var token = await AccessTokenAsync(Seed.DemoClient, Seed.DemoSecret);
        var request = Seed.Request(HttpMethod.Get, "/api/me", ("Authorization", "Bearer " + token));
        // HttpClient writes "Authorization: Bearer …"; the colon without a space is proved on a socket (Seed001WireTests).
        Assert.Equal("Bearer " + token, request.Headers.GetValues("Authorization").Single());

        var me = await Seed.MeAsync(_client, request);

        Assert.Equal("demo-client", me.GetProperty("subject").GetString());
        Assert.Equal("authorizationHeader", me.GetProperty("tokenSource").GetString());
    }

    [Fact]
    public async Task Me_AccessTokenInQueryString_AnswersTheClientUncached()
    {
        var token = await AccessTokenAsync(Seed.DemoClient, Seed.DemoSecret);

        using var response = await _client.GetAsync(new Uri("/api/me?access_token=" + token, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("demo-client", me.GetProperty("subject").GetString());
        Assert.Equal("query", me.GetProperty("tokenSource").GetString());
    }

    [Theory]
    [InlineData("sudo=uid:1001", null, null)]
    [InlineData("sudo=loginName:alice", null, null)]
    [InlineData("sudo=email:alice@example.com", null, null)]
    [InlineData("sudo=mobile:13800000001", null, null)]
    [InlineData("sudo=username:alice", null, null)]
    [InlineData("sudo=uid:1001&tenantId=t-100", "t-100", "acme")]
    [InlineData("sudo=uid:1001&tenantCode=acme", "t-100", "acme")]
    public async Task Me_EachDocumentedSudoUrl_ActsAsAliceWithTheClientAsActor(string sudo, string? tenantId, string? tenantCode)
    {
        var token = await AccessTokenAsync(Seed.AdminClient, Seed.AdminSecret);

        // The document's URL: GET /api/{URI}?access_token=${ACCESS_TOKEN}&sudo=uid:${UID}&tenantId=${tenantId}
        var me = await Seed.MeAsync(_client, Seed.Request(HttpMethod.Get, $"/api/me?access_token={token}&{sudo}"));

        Assert.Equal("1001", me.GetProperty("subject").GetString());
        Assert.Equal("Alice", me.GetProperty("name").GetString());
        Assert.Equal("admin-client", me.GetProperty("actor").GetString());
        Assert.Equal(tenantId, me.GetProperty("tenantId").GetString());
        Assert.Equal(tenantCode, me.GetProperty("tenantCode").GetString());
    }

    [Fact]
    public async Task Me_SudoWithTokenWithoutSudoScope_Answers403InsufficientScope()
    {
        var token = await AccessTokenAsync(Seed.DemoClient, Seed.DemoSecret);

        using var response = await _client.GetAsync(new Uri($"/api/me?access_token={token}&sudo=uid:1001", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("scope=\"sudo\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_FreshToken_AnswersTheTokenItsTypeRemainingSecondsAndScope()
    {
        var token = await AccessTokenAsync(Seed.AdminClient, Seed.AdminSecret);

        var json = await CheckAsync(token, HttpStatusCode.OK);

        Seed.AssertMembers(json,
            ("access_token", JsonValueKind.String), ("token_type", JsonValueKind.String),
            ("expires_in", JsonValueKind.String), ("scope", JsonValueKind.String));
        Assert.Equal(token, json.GetProperty("access_token").GetString());
        Assert.Equal("bearer", json.GetProperty("token_type").GetString());
        Assert.Equal("43200", json.GetProperty("expires_in").GetString());
        Assert.Equal("read write sudo", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Check_LaterOn_AnswersTheRemainingLifetime()
    {
        var token = await AccessTokenAsync(Seed.DemoClient, Seed.DemoSecret);
        var before = int.Parse((await CheckAsync(token, HttpStatusCode.OK)).GetProperty("expires_in").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        factory.Time.Advance(TimeSpan.FromSeconds(1000));
        var after = int.Parse((await CheckAsync(token, HttpStatusCode.OK)).GetProperty("expires_in").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(before <= TwelveHours, $"{before} > {TwelveHours}");
        Assert.Equal(before - 1000, after);
    }

    [Fact]
    public async Task Revoke_Token_AnswersCodeZeroAndTheTokenIsRefusedAtOnce()
    {
        var token = await AccessTokenAsync(Seed.DemoClient, Seed.DemoSecret);
        Assert.Equal(HttpStatusCode.OK, await Seed.MeStatusAsync(_client, token));

        var json = await RevokeAsync(token, HttpStatusCode.OK);

        Seed.AssertMembers(json, ("code", JsonValueKind.Number), ("msg", JsonValueKind.String));
        Assert.Equal(0, json.GetProperty("code").GetInt32());
        Assert.Equal("success", json.GetProperty("msg").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, await Seed.MeStatusAsync(_client, token));
        Seed.AssertOAuthError(await CheckAsync(token, HttpStatusCode.BadRequest), "invalid_token");
    }

    [Fact]
    public async Task Revoke_UnknownToken_AnswersCodeZero()
    {
        var json = await RevokeAsync("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", HttpStatusCode.OK);

        Assert.Equal(0, json.GetProperty("code").GetInt32());
        Assert.Equal("success", json.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task Revoke_WithoutToken_Answers400EnvelopeWithTheErrorCode()
    {
        using var request = Seed.Request(HttpMethod.Get, Tokens + "/revoke", ("Accept", "application/json"));

        var json = await Seed.SendJsonAsync(_client, request, HttpStatusCode.BadRequest);

        // The envelope of every answer: the HTTP status as code, the description as msg, and the RFC 6749 error code.
        Seed.AssertMembers(json, ("code", JsonValueKind.Number), ("msg", JsonValueKind.String), ("error", JsonValueKind.String));
        Assert.Equal(400, json.GetProperty("code").GetInt32());
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "invalid_token")]
    [InlineData("", "invalid_request")]
    public async Task Check_UnknownOrMissingToken_Answers400(string token, string error)
    {
        Seed.AssertOAuthError(await CheckAsync(token, HttpStatusCode.BadRequest), error);
    }

    [Fact]
    public async Task Check_RefreshTokenInsteadOfAccessToken_Answers400InvalidToken()
    {
        var refreshToken = (await TokenAsync(Seed.DemoClient, Seed.DemoSecret)).GetProperty("refresh_token").GetString()!;

        Seed.AssertOAuthError(await CheckAsync(refreshToken, HttpStatusCode.BadRequest), "invalid_token");
    }

    [Theory]
    [InlineData("grant_type=client_credentials&client_id=demo-client", 401, "invalid_client")]
    [InlineData("grant_type=client_credentials&client_id=demo-client&client_secret=wrong", 401, "invalid_client")]
    [InlineData("grant_type=client_credentials&client_secret=demo-secret", 401, "invalid_client")]
    [InlineData("client_id=demo-client&client_secret=demo-secret", 400, "invalid_request")]
    [InlineData("grant_type=password&client_id=demo-client&client_secret=demo-secret&username=alice&password=alice-password", 400, "unsupported_grant_type")]
    [InlineData("grant_type=magic&client_id=demo-client&client_secret=demo-secret", 400, "unsupported_grant_type")]
    [InlineData("grant_type=client_credentials&grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret", 400, "invalid_request")]
    [InlineData("grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret&client_secret=demo-secret", 400, "invalid_request")]
    public async Task Token_BadQuery_AnswersRfcErrorWithRealStatus(string query, int status, string error)
    {
        using var request = Seed.Request(HttpMethod.Get, Tokens + "?" + query, ("Accept", "application/json"));

        Seed.AssertOAuthError(await Seed.SendJsonAsync(_client, request, (HttpStatusCode)status), error);
    }

    [Theory]
    [InlineData(Tokens + "?grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret")]
    [InlineData(Tokens + "/check?token=x")]
    [InlineData(Tokens + "/revoke?token=x")]
    public async Task Endpoints_Post_Answer405NotA500(string uri)
    {
        using var response = await _client.PostAsync(new Uri(uri, UriKind.Relative), Seed.Form(("token", "x")));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    private async Task<JsonElement> TokenAsync(string clientId, string clientSecret)
    {
        // Exactly the document's request: GET, the three parameters in the URL, Accept: application/json.
        var request = Seed.Request(HttpMethod.Get, $"{Tokens}?grant_type=client_credentials&client_id={clientId}&client_secret={clientSecret}", ("Accept", "application/json"));
        return await Seed.SendJsonAsync(_client, request, HttpStatusCode.OK);
    }

    private async Task<string> AccessTokenAsync(string clientId, string clientSecret)
        => (await TokenAsync(clientId, clientSecret)).GetProperty("access_token").GetString()!;

    private Task<JsonElement> CheckAsync(string token, HttpStatusCode status)
        => Seed.SendJsonAsync(_client, Seed.Request(HttpMethod.Get, $"{Tokens}/check?token={token}"), status);

    private Task<JsonElement> RevokeAsync(string token, HttpStatusCode status)
        => Seed.SendJsonAsync(_client, Seed.Request(HttpMethod.Get, $"{Tokens}/revoke?token={token}"), status);
}
