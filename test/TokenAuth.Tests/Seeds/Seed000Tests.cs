using System.Net;
using System.Text.Json;

namespace TokenAuth.Tests.Seeds;

/// <summary>
/// Seed 000 (RFC 6749 client credentials at <c>POST /oauth/token</c>; the token in <c>Authorization: bearer</c> or as
/// <c>access_token</c> in a header, the body or the URL) and the RFC endpoints beside it: introspection (RFC 7662)
/// and revocation (RFC 7009).
/// </summary>
public sealed class Seed000Tests(SampleFactory factory) : IClassFixture<SampleFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Token_DocumentedClientCredentials_AnswersAccessTokenExpiresInRefreshTokenBearer()
    {
        var json = await TokenAsync(("grant_type", "client_credentials"), ("client_id", Seed.DemoClient), ("client_secret", Seed.DemoSecret));

        // RFC 6749 §5.1: expires_in is a number of seconds; token_type is case-insensitive ("默认为Bearer").
        Seed.AssertMembers(json,
            ("access_token", JsonValueKind.String), ("token_type", JsonValueKind.String), ("expires_in", JsonValueKind.Number),
            ("refresh_token", JsonValueKind.String), ("scope", JsonValueKind.String));
        Assert.Equal(43, json.GetProperty("access_token").GetString()!.Length);
        Assert.Equal("bearer", json.GetProperty("token_type").GetString(), ignoreCase: true);
        Assert.Equal(3600, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("read write", json.GetProperty("scope").GetString());
        Assert.NotEqual(json.GetProperty("access_token").GetString(), json.GetProperty("refresh_token").GetString());
    }

    [Fact]
    public async Task Token_ClientWithoutRefreshGrant_AnswersNoRefreshToken()
    {
        var json = await TokenAsync(("grant_type", "client_credentials"), ("client_id", Seed.AdminClient), ("client_secret", Seed.AdminSecret));

        // The document marks refresh_token optional (否).
        Assert.False(json.TryGetProperty("refresh_token", out _));
        Assert.Equal("read write sudo", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Token_GeneratedSecretOfServiceClient_AnswersReadToken()
    {
        var json = await TokenAsync(("grant_type", "client_credentials"), ("client_id", Seed.ServiceClient), ("client_secret", Seed.ServiceSecret));

        Assert.Equal("read", json.GetProperty("scope").GetString());
        Assert.False(json.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Token_HttpBasicInsteadOfFormSecret_AnswersToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = Seed.Form(("grant_type", "client_credentials")) };
        request.Headers.Authorization = Seed.Basic(Seed.DemoClient, Seed.DemoSecret);

        var json = await Seed.SendJsonAsync(_client, request, HttpStatusCode.OK);

        Assert.Equal("demo-client", (await Seed.IntrospectAsync(_client, json.GetProperty("access_token").GetString()!)).GetProperty("client_id").GetString());
    }

    [Theory]
    [InlineData("Authorization", "authorizationHeader")]
    [InlineData("access_token header", "header")]
    [InlineData("access_token body", "form")]
    [InlineData("access_token url", "query")]
    public async Task Me_TokenSentEachDocumentedWay_AnswersTheClient(string how, string source)
    {
        var token = await Seed.RfcTokenAsync(_client, Seed.DemoClient, Seed.DemoSecret);
        var request = how switch
        {
            // The document's own spelling: a lower-case scheme, and a header literally named access_token.
            "Authorization" => Seed.Request(HttpMethod.Get, "/api/me", ("Authorization", "bearer " + token)),
            "access_token header" => Seed.Request(HttpMethod.Get, "/api/me", ("access_token", token)),
            "access_token body" => new HttpRequestMessage(HttpMethod.Post, "/api/me") { Content = Seed.Form(("access_token", token)) },
            _ => Seed.Request(HttpMethod.Get, "/api/me?access_token=" + Uri.EscapeDataString(token)),
        };

        var me = await Seed.MeAsync(_client, request);

        Assert.Equal("demo-client", me.GetProperty("subject").GetString());
        Assert.Equal("demo-client", me.GetProperty("clientId").GetString());
        Assert.Equal(["read", "write"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(source, me.GetProperty("tokenSource").GetString());
    }

    [Fact]
    public async Task Me_NoTokenOrExpiredToken_Answers401()
    {
        // "401 认证失败返回。访问令牌过期或未提供访问令牌。"
        var token = await Seed.RfcTokenAsync(_client, Seed.DemoClient, Seed.DemoSecret);
        using var anonymous = await _client.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        await factory.AssertLifetimeAsync(TimeSpan.FromSeconds(3600), () => Seed.MeStatusAsync(_client, token));
    }

    [Fact]
    public async Task Token_RefreshTokenGrant_RotatesAndReuseRevokesTheFamily()
    {
        var first = await TokenAsync(("grant_type", "client_credentials"), ("client_id", Seed.DemoClient), ("client_secret", Seed.DemoSecret));
        var refreshToken = first.GetProperty("refresh_token").GetString()!;

        var second = await TokenAsync(("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", Seed.DemoClient), ("client_secret", Seed.DemoSecret));
        Assert.NotEqual(refreshToken, second.GetProperty("refresh_token").GetString());
        Assert.Equal(3600, second.GetProperty("expires_in").GetInt32());
        var newest = second.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await Seed.MeStatusAsync(_client, newest));

        using var replay = TokenRequest(("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", Seed.DemoClient), ("client_secret", Seed.DemoSecret));
        Seed.AssertOAuthError(await Seed.SendJsonAsync(_client, replay, HttpStatusCode.BadRequest), "invalid_grant");

        Assert.Equal(HttpStatusCode.Unauthorized, await Seed.MeStatusAsync(_client, newest));
    }

    [Fact]
    public async Task Introspect_ResourceServer_AnswersActiveWithWhatTheTokenSays()
    {
        var token = await Seed.RfcTokenAsync(_client, Seed.AdminClient, Seed.AdminSecret);
        var now = factory.Time.GetUtcNow().ToUnixTimeSeconds();

        var json = await Seed.IntrospectAsync(_client, token);

        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal("read write sudo", json.GetProperty("scope").GetString());
        Assert.Equal("admin-client", json.GetProperty("client_id").GetString());
        Assert.Equal("admin-client", json.GetProperty("sub").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(now, json.GetProperty("iat").GetInt64());
        Assert.Equal(now + 3600, json.GetProperty("exp").GetInt64());
    }

    [Theory]
    [InlineData(Seed.DemoClient, Seed.DemoSecret, true)]
    [InlineData(Seed.ResourceServer, Seed.ResourceSecret, false)]
    public async Task Introspect_AnotherClientsTokenOrUnknownToken_AnswersOnlyActiveFalse(string clientId, string clientSecret, bool othersToken)
    {
        var token = othersToken ? await Seed.RfcTokenAsync(_client, Seed.AdminClient, Seed.AdminSecret) : "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

        var json = await Seed.IntrospectAsync(_client, token, clientId, clientSecret);

        // RFC 7662 §2.2, §4: nothing but "active": false, so that a client cannot probe other clients' tokens.
        Seed.AssertMembers(json, ("active", JsonValueKind.False));
    }

    [Fact]
    public async Task Revoke_OwnAccessToken_Answers200EmptyAndTheTokenIsRefusedAtOnce()
    {
        var token = await Seed.RfcTokenAsync(_client, Seed.DemoClient, Seed.DemoSecret);

        using var response = await RevokeAsync(token, Seed.DemoClient, Seed.DemoSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await Seed.MeStatusAsync(_client, token));
        Seed.AssertMembers(await Seed.IntrospectAsync(_client, token), ("active", JsonValueKind.False));
    }

    [Fact]
    public async Task Revoke_RefreshToken_RevokesTheAccessTokensOfItsGrant()
    {
        var json = await TokenAsync(("grant_type", "client_credentials"), ("client_id", Seed.DemoClient), ("client_secret", Seed.DemoSecret));
        var token = json.GetProperty("access_token").GetString()!;

        using var response = await RevokeAsync(json.GetProperty("refresh_token").GetString()!, Seed.DemoClient, Seed.DemoSecret, ("token_type_hint", "refresh_token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await Seed.MeStatusAsync(_client, token));
    }

    [Fact]
    public async Task Revoke_AnotherClientsToken_Answers400UnauthorizedClientAndTheTokenLives()
    {
        var token = await Seed.RfcTokenAsync(_client, Seed.AdminClient, Seed.AdminSecret);

        using var response = await RevokeAsync(token, Seed.DemoClient, Seed.DemoSecret);

        Seed.AssertOAuthError(await Seed.JsonAsync(response, HttpStatusCode.BadRequest), "unauthorized_client");
        Assert.Equal(HttpStatusCode.OK, await Seed.MeStatusAsync(_client, token));
    }

    [Fact]
    public async Task Revoke_UnknownToken_Answers200()
    {
        using var response = await RevokeAsync("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Seed.DemoClient, Seed.DemoSecret);

        // RFC 7009 §2.2: an invalid token is no error, the client has nothing left to do.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/oauth/token", "client_id=demo-client&client_secret=demo-secret", 400, "invalid_request")]
    [InlineData("/oauth/token", "grant_type=client_credentials&grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret", 400, "invalid_request")]
    [InlineData("/oauth/token", "grant_type=client_credentials&client_id=demo-client&client_id=demo-client&client_secret=demo-secret", 400, "invalid_request")]
    [InlineData("/oauth/token", "grant_type=magic&client_id=demo-client&client_secret=demo-secret", 400, "unsupported_grant_type")]
    [InlineData("/oauth/token", "grant_type=client_credentials&client_id=demo-client", 401, "invalid_client")]
    [InlineData("/oauth/token", "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret&scope=sudo", 400, "invalid_scope")]
    [InlineData("/oauth/token", "grant_type=refresh_token&client_id=demo-client&client_secret=demo-secret", 400, "invalid_request")]
    [InlineData("/oauth/token", "grant_type=refresh_token&refresh_token=nope&client_id=demo-client&client_secret=demo-secret", 400, "invalid_grant")]
    [InlineData("/oauth/token", "grant_type=client_credentials&client_id=resource-server&client_secret=resource-secret&scope=read", 400, "invalid_scope")]
    [InlineData("/oauth/introspect", "client_id=resource-server&client_secret=resource-secret", 400, "invalid_request")]
    [InlineData("/oauth/introspect", "token=abc", 401, "invalid_client")]
    [InlineData("/oauth/revoke", "client_id=demo-client&client_secret=demo-secret", 400, "invalid_request")]
    [InlineData("/oauth/revoke", "token=abc&token=abd&client_id=demo-client&client_secret=demo-secret", 400, "invalid_request")]
    public async Task RfcEndpoints_BadForm_AnswerRfcErrorWithRealStatus(string path, string form, int status, string error)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(form, null, "application/x-www-form-urlencoded") };

        Seed.AssertOAuthError(await Seed.SendJsonAsync(_client, request, (HttpStatusCode)status), error);
    }

    [Theory]
    [InlineData("/oauth/token")]
    [InlineData("/oauth/introspect")]
    [InlineData("/oauth/revoke")]
    public async Task RfcEndpoints_JsonBodyOrNoBody_Answer400InvalidRequest(string path)
    {
        using var json = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = Seed.Json("""{"grant_type":"client_credentials","client_id":"demo-client","client_secret":"demo-secret","token":"x"}"""),
        };
        using var empty = new HttpRequestMessage(HttpMethod.Post, path);

        Seed.AssertOAuthError(await Seed.SendJsonAsync(_client, json, HttpStatusCode.BadRequest), "invalid_request");
        Seed.AssertOAuthError(await Seed.SendJsonAsync(_client, empty, HttpStatusCode.BadRequest), "invalid_request");
    }

    [Theory]
    [InlineData("/oauth/token")]
    [InlineData("/oauth/introspect")]
    [InlineData("/oauth/revoke")]
    public async Task RfcEndpoints_BodyOver16KiB_Answer413(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Seed.OversizedForm() };

        Seed.AssertOAuthError(await Seed.SendJsonAsync(_client, request, HttpStatusCode.RequestEntityTooLarge), "invalid_request");
    }

    [Fact]
    public async Task Token_WrongSecretInBasic_Answers401WithBasicChallenge()
    {
        using var request = TokenRequest(("grant_type", "client_credentials"));
        request.Headers.Authorization = Seed.Basic(Seed.DemoClient, "wrong");

        using var response = await _client.SendAsync(request);

        Seed.AssertOAuthError(await Seed.JsonAsync(response, HttpStatusCode.Unauthorized), "invalid_client");
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    private static HttpRequestMessage TokenRequest(params (string Name, string Value)[] fields)
        => new(HttpMethod.Post, "/oauth/token") { Content = Seed.Form(fields) };

    private async Task<JsonElement> TokenAsync(params (string Name, string Value)[] fields)
        => await Seed.SendJsonAsync(_client, TokenRequest(fields), HttpStatusCode.OK);

    private async Task<HttpResponseMessage> RevokeAsync(string token, string clientId, string clientSecret, params (string Name, string Value)[] more)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/revoke") { Content = Seed.Form([("token", token), .. more]) };
        request.Headers.Authorization = Seed.Basic(clientId, clientSecret);
        return await _client.SendAsync(request);
    }
}
