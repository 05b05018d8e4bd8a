using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Moq;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Server.TokenServerApp;

namespace TokenAuth.Tests.Server;

/// <summary>Revocation (RFC 7009), introspection (RFC 7662) and seed 001's check, through a real pipeline.</summary>
public sealed class RevokeIntrospectCheckTests
{
    private const string RefreshClientId = "refreshing";
    private const string RefreshClientSecret = "refreshing-secret";
    private const string ResourceServerId = "api";
    private const string ResourceServerSecret = "api-secret";

    private static Task<TestApp> StartAsync(Action<TokenServerOptions>? server = null, Action<TokenAuthOptions>? scheme = null, Action<IServiceCollection>? services = null)
        => TokenServerApp.StartAsync(
            o =>
            {
                o.Clients.Add(Client(RefreshClientId, RefreshClientSecret, ["read"], GrantTypes.ClientCredentials, GrantTypes.RefreshToken));
                var api = Client(ResourceServerId, ResourceServerSecret, []);
                api.CanIntrospectAnyToken = true;
                o.Clients.Add(api);
                o.Profiles.Add(TokenServerProfiles.QueryStringCheck("/check"));
                server?.Invoke(o);
            },
            scheme,
            services);

    private static HttpRequestMessage Revoke(string token, string clientId = ClientId, string secret = ClientSecret, string? hint = null)
        => hint is null
            ? Form("/oauth/revoke", ("token", token), ("client_id", clientId), ("client_secret", secret))
            : Form("/oauth/revoke", ("token", token), ("token_type_hint", hint), ("client_id", clientId), ("client_secret", secret));

    private static HttpRequestMessage Introspect(string token, string clientId = ResourceServerId, string secret = ResourceServerSecret, string? hint = null)
    {
        var request = hint is null
            ? Form("/oauth/introspect", ("token", token))
            : Form("/oauth/introspect", ("token", token), ("token_type_hint", hint));
        request.Headers.Authorization = Basic(clientId, secret);
        return request;
    }

    private static HttpRequestMessage Form(string path, params (string Name, string Value)[] fields) => new(HttpMethod.Post, path)
    {
        Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
    };

    private static async Task<(string Access, string Refresh)> GrantWithRefreshAsync(TestApp app)
    {
        var json = await ReadJsonAsync(await app.Client.SendAsync(ClientCredentials(RefreshClientId, RefreshClientSecret)));
        return (json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!);
    }

    private static async Task<HttpStatusCode> ProtectedAsync(TestApp app, string token)
    {
        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));
        return response.StatusCode;
    }

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal(error, json.GetProperty("error").GetString());
        return json;
    }

    // ---- RFC 7009 ----

    [Fact]
    public async Task Revoke_OwnAccessToken_200EmptyAndRefusedAtOnce()
    {
        await using var app = await StartAsync();
        var token = await GetTokenAsync(app);

        using var response = await app.Client.SendAsync(Revoke(token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal(HttpStatusCode.Unauthorized, await ProtectedAsync(app, token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("access_token")]
    [InlineData("refresh_token")]
    public async Task Revoke_RefreshToken_RevokesItsFamily_WhateverTheHint(string? hint)
    {
        await using var app = await StartAsync();
        var (access, refresh) = await GrantWithRefreshAsync(app);
        var (otherAccess, _) = await GrantWithRefreshAsync(app);

        using var response = await app.Client.SendAsync(Revoke(refresh, RefreshClientId, RefreshClientSecret, hint));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ProtectedAsync(app, access));
        await ErrorAsync(await app.Client.SendAsync(Form("/oauth/token", ("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", RefreshClientId), ("client_secret", RefreshClientSecret))), HttpStatusCode.BadRequest, OAuthErrors.InvalidGrant);
        Assert.Equal(HttpStatusCode.OK, await ProtectedAsync(app, otherAccess));
    }

    [Fact]
    public async Task Revoke_UnknownToken_Is200()
    {
        await using var app = await StartAsync();

        using var response = await app.Client.SendAsync(Revoke("never-issued"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Revoke_AnotherClientsToken_UnauthorizedClient_AndTheTokenStillWorks()
    {
        await using var app = await StartAsync();
        var token = await GetTokenAsync(app, RefreshClientId, RefreshClientSecret);

        await ErrorAsync(await app.Client.SendAsync(Revoke(token)), HttpStatusCode.BadRequest, OAuthErrors.UnauthorizedClient);

        Assert.Equal(HttpStatusCode.OK, await ProtectedAsync(app, token));
    }

    [Fact]
    public async Task Revoke_ByAClientWithTheIntrospectionRight_RevokesAnyClientsToken()
    {
        await using var app = await StartAsync();
        var token = await GetTokenAsync(app);

        using var response = await app.Client.SendAsync(Revoke(token, ResourceServerId, ResourceServerSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ProtectedAsync(app, token));
    }

    [Fact]
    public async Task Revoke_WithoutClientAuthentication_401_MissingToken_400()
    {
        await using var app = await StartAsync();
        var token = await GetTokenAsync(app);

        await ErrorAsync(await app.Client.SendAsync(Form("/oauth/revoke", ("token", token))), HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient);
        await ErrorAsync(await app.Client.SendAsync(Form("/oauth/revoke", ("client_id", ClientId), ("client_secret", ClientSecret))), HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
        Assert.Equal(HttpStatusCode.OK, await ProtectedAsync(app, token));
    }

    [Fact]
    public async Task Revoke_StoreDown_503WithRetryAfter()
    {
        var store = new Mock<ITokenStore>();
        store.Setup(s => s.FindAsync(It.IsAny<TokenHash>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException());
        await using var app = await StartAsync(services: s => s.AddSingleton(store.Object));

        using var response = await app.Client.SendAsync(Revoke("any"));

        await ErrorAsync(response, HttpStatusCode.ServiceUnavailable, OAuthErrors.TemporarilyUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Revoke_SelfContainedJwtAccessToken_UnsupportedTokenType()
    {
        var key = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(64));
        await using var app = await StartAsync(
            o =>
            {
                o.SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
                o.Issuer = "https://issuer.test";
                o.Audience = "api";
            },
            o =>
            {
                o.Jwt.TokenValidationParameters.IssuerSigningKey = key;
                o.Jwt.TokenValidationParameters.ValidIssuer = "https://issuer.test";
                o.Jwt.TokenValidationParameters.ValidAudience = "api";
            });
        var jwt = await GetTokenAsync(app);

        await ErrorAsync(await app.Client.SendAsync(Revoke(jwt)), HttpStatusCode.BadRequest, OAuthErrors.UnsupportedTokenType);

        // Introspection validates the server's own JWT: signature, issuer, audience, type, lifetime.
        var json = await ReadJsonAsync(await app.Client.SendAsync(Introspect(jwt)));
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal("https://issuer.test", json.GetProperty("iss").GetString());
        Assert.Equal("api", json.GetProperty("aud").GetString());
        Assert.Equal(ClientId, json.GetProperty("client_id").GetString());
        var forged = jwt[..jwt.LastIndexOf('.')] + "." + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        Assert.False((await ReadJsonAsync(await app.Client.SendAsync(Introspect(forged)))).GetProperty("active").GetBoolean());
    }

    // ---- RFC 7662 ----

    [Fact]
    public async Task Introspect_LiveToken_ActiveWithItsClaims()
    {
        await using var app = await StartAsync();
        var token = await GetTokenAsync(app, scope: "read");

        using var response = await app.Client.SendAsync(Introspect(token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var json = await ReadJsonAsync(response);
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal("read", json.GetProperty("scope").GetString());
        Assert.Equal(ClientId, json.GetProperty("client_id").GetString());
        Assert.Equal(ClientId, json.GetProperty("sub").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(TestApp.Start.ToUnixTimeSeconds(), json.GetProperty("iat").GetInt64());
        Assert.Equal(TestApp.Start.AddHours(1).ToUnixTimeSeconds(), json.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task Introspect_UnknownExpiredOrAnotherClientsToken_IsExactlyActiveFalse()
    {
        await using var app = await StartAsync();
        var mine = await GetTokenAsync(app);
        var theirs = await GetTokenAsync(app, RefreshClientId, RefreshClientSecret);

        var unknown = await app.Client.SendAsync(Introspect("never-issued"));
        var notMine = await app.Client.SendAsync(Introspect(theirs, ClientId, ClientSecret));
        var own = await app.Client.SendAsync(Introspect(mine, ClientId, ClientSecret));
        app.Time.Advance(TimeSpan.FromHours(1));
        var expired = await app.Client.SendAsync(Introspect(mine));

        // RFC 7662 §2.2, §4: an inactive answer says nothing more, so a client cannot scan other clients' tokens.
        foreach (var response in new[] { unknown, notMine, expired })
        {
            Assert.Equal("{\"active\":false}", await response.Content.ReadAsStringAsync());
        }

        Assert.True((await ReadJsonAsync(own)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspect_RefreshToken_ActiveWithoutTokenType_UntilUsed()
    {
        await using var app = await StartAsync();
        var (_, refresh) = await GrantWithRefreshAsync(app);

        var json = await ReadJsonAsync(await app.Client.SendAsync(Introspect(refresh, hint: "refresh_token")));
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal(RefreshClientId, json.GetProperty("client_id").GetString());
        Assert.False(json.TryGetProperty("token_type", out _));
        Assert.Equal("refresh_token", json.GetProperty("token_usage").GetString());
        Assert.Equal(TestApp.Start.AddDays(14).ToUnixTimeSeconds(), json.GetProperty("exp").GetInt64());

        await app.Client.SendAsync(Form("/oauth/token", ("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", RefreshClientId), ("client_secret", RefreshClientSecret)));
        Assert.False((await ReadJsonAsync(await app.Client.SendAsync(Introspect(refresh)))).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspect_WrongCredentials401_MissingToken400()
    {
        await using var app = await StartAsync();

        var wrong = await app.Client.SendAsync(Introspect("t", ResourceServerId, "wrong"));
        await ErrorAsync(wrong, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient);
        Assert.Equal("Basic", wrong.Headers.WwwAuthenticate.Single().Scheme);
        using var missing = Form("/oauth/introspect");
        missing.Headers.Authorization = Basic(ResourceServerId, ResourceServerSecret);
        await ErrorAsync(await app.Client.SendAsync(missing), HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
    }

    // ---- seed 001's check ----

    [Fact]
    public async Task Check_LiveToken_AnswersTheRemainingSecondsAsAString()
    {
        await using var app = await StartAsync();
        var token = await GetTokenAsync(app);
        app.Time.Advance(TimeSpan.FromMinutes(10));

        using var response = await app.Client.GetAsync("/check?token=" + Uri.EscapeDataString(token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal(token, json.GetProperty("access_token").GetString());
        Assert.Equal("bearer", json.GetProperty("token_type").GetString());
        Assert.Equal("3000", json.GetProperty("expires_in").GetString());
        Assert.Equal("read write", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Check_ExpiredRevokedOrMissingToken_400()
    {
        await using var app = await StartAsync();
        var revoked = await GetTokenAsync(app);
        await app.Client.SendAsync(Revoke(revoked));
        var expiring = await GetTokenAsync(app);
        app.Time.Advance(TimeSpan.FromHours(1));

        await ErrorAsync(await app.Client.GetAsync("/check?token=" + revoked), HttpStatusCode.BadRequest, OAuthErrors.InvalidToken);
        await ErrorAsync(await app.Client.GetAsync("/check?token=" + expiring), HttpStatusCode.BadRequest, OAuthErrors.InvalidToken);
        await ErrorAsync(await app.Client.GetAsync("/check"), HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
        await ErrorAsync(await app.Client.GetAsync("/check?token=a&token=b"), HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
    }
}
