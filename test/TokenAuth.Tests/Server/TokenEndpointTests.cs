using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Moq;
using StackExchange.Redis;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Server.TokenServerApp;

namespace TokenAuth.Tests.Server;

/// <summary>
/// The token endpoint through a real pipeline: RFC 6749 §4.4 (client credentials), §2.3.1 (client
/// authentication), §5.1 (success response) and §5.2 (error responses).
/// </summary>
public sealed partial class TokenEndpointTests
{
    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")]
    private static partial Regex OpaqueTokenShape();

    // ---- §4.4 / §5.1: success ----

    [Fact]
    public async Task ClientCredentials_SecretInForm_ReturnsBearerTokenResponse()
    {
        await using var app = await StartAsync();

        using var request = ClientCredentials();
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await ReadJsonAsync(response);
        var token = json.GetProperty("access_token").GetString()!;
        // 32 random bytes, base64url without padding: 43 characters (256 bits).
        Assert.Matches(OpaqueTokenShape(), token);
        Assert.Equal(32, Base64UrlEncoder.DecodeBytes(token).Length);
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3600, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("read write", json.GetProperty("scope").GetString());
        Assert.False(json.TryGetProperty("refresh_token", out _), "§4.4.3: a refresh token should not be included.");
        // §5.1: Cache-Control: no-store and Pragma: no-cache.
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
    }

    [Fact]
    public async Task ClientCredentials_TwoRequests_IssueDifferentTokens()
    {
        await using var app = await StartAsync();

        var first = await GetTokenAsync(app);
        var second = await GetTokenAsync(app);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task IssuedToken_UntilExpiresIn_AuthenticatesThenIsRefused()
    {
        await using var app = await StartAsync();
        var token = await GetTokenAsync(app);

        using (var response = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await ReadJsonAsync(response);
            Assert.Equal(ClientId, json.GetProperty("sub").GetString());
            Assert.Equal(ClientId, json.GetProperty("clientId").GetString());
            Assert.Equal(["read", "write"], json.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        }

        app.Time.Advance(TimeSpan.FromSeconds(3599));
        using (var response = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        app.Time.Advance(TimeSpan.FromSeconds(2));
        using (var response = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ClientCredentials_ClientLifetime_OverridesServerDefault()
    {
        await using var app = await StartAsync(o => o.Clients.Add(new TokenClient
        {
            ClientId = "short",
            ClientSecretHashes = [ClientSecretHasher.Hash("short-secret", Iterations)],
            AllowedScopes = ["read"],
            AccessTokenLifetime = TimeSpan.FromMinutes(5),
        }));

        using var request = ClientCredentials("short", "short-secret");
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(300, (await ReadJsonAsync(response)).GetProperty("expires_in").GetInt32());
    }

    // ---- §2.3.1: HTTP Basic ----

    [Fact]
    public async Task ClientCredentials_BasicAuthentication_ReturnsToken()
    {
        await using var app = await StartAsync();

        using var request = TokenRequest(("grant_type", "client_credentials"));
        request.Headers.Authorization = Basic(ClientId, ClientSecret);
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Matches(OpaqueTokenShape(), json.GetProperty("access_token").GetString()!);
        Assert.Equal("read write", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task ClientCredentials_BasicWithFormUrlEncodedIdAndSecret_DecodesAndReturnsToken()
    {
        await using var app = await StartAsync();

        using var request = TokenRequest(("grant_type", "client_credentials"));
        // "odd client:1" / "p@ss:w rd+" → "odd+client%3A1:p%40ss%3Aw+rd%2B": ':' inside id and secret, '+' meaning space, %2B meaning '+'.
        request.Headers.Authorization = Basic(OddClientId, OddClientSecret);
        Assert.Equal("odd+client%3A1:p%40ss%3Aw+rd%2B", Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization.Parameter!)));
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await ReadJsonAsync(response)).GetProperty("access_token").GetString()!;
        using var me = await app.Client.SendAsync(TestApp.Get("/protected", token));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(OddClientId, (await ReadJsonAsync(me)).GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task ClientCredentials_BasicWithSecretNotUrlEncoded_PlusIsDecodedAsSpaceAndRefused()
    {
        await using var app = await StartAsync(o => o.Clients.Add(Client("plain", "a+b", ["read"])));

        using var request = TokenRequest(("grant_type", "client_credentials"));
        // Not form-encoded: §2.3.1 decoding turns '+' into a space, so the secret no longer matches.
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("plain:a+b"u8.ToArray()));
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(OAuthErrors.InvalidClient, (await ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task ClientCredentials_BasicWithMatchingFormClientId_ReturnsToken()
    {
        await using var app = await StartAsync();

        using var request = TokenRequest(("grant_type", "client_credentials"), ("client_id", ClientId));
        request.Headers.Authorization = Basic(ClientId, ClientSecret);
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // ---- §3.3: scope ----

    [Fact]
    public async Task ClientCredentials_ScopeSubset_GrantsOnlyRequestedScopes()
    {
        await using var app = await StartAsync();

        using var request = ClientCredentials(scope: "read");
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal("read", json.GetProperty("scope").GetString());
        var token = json.GetProperty("access_token").GetString()!;
        using var protectedResponse = await app.Client.SendAsync(TestApp.Get("/protected", token));
        Assert.Equal(["read"], (await ReadJsonAsync(protectedResponse)).GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        using var scoped = await app.Client.SendAsync(TestApp.Get("/scoped", token));
        Assert.Equal(HttpStatusCode.Forbidden, scoped.StatusCode);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("read admin")]
    [InlineData("READ")]
    public async Task ClientCredentials_ScopeNotAllowed_ReturnsInvalidScope(string scope)
    {
        await using var app = await StartAsync();

        using var request = ClientCredentials(scope: scope);
        using var response = await app.Client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrors.InvalidScope);
    }

    // ---- §5.2: invalid_client ----

    [Theory]
    [InlineData("wrong secret in form")]
    [InlineData("unknown client in form")]
    [InlineData("wrong secret in Basic")]
    [InlineData("unknown client in Basic")]
    [InlineData("no credentials")]
    [InlineData("client_id without secret")]
    [InlineData("empty secret")]
    [InlineData("Basic not base64")]
    [InlineData("Basic without colon")]
    [InlineData("Basic with empty client id")]
    [InlineData("Basic without credentials")]
    [InlineData("other scheme")]
    [InlineData("Basic and a different form client_id")]
    public async Task TokenRequest_ClientAuthenticationFails_Returns401InvalidClientWithBasicChallenge(string @case)
    {
        await using var app = await StartAsync();
        using var request = @case switch
        {
            "wrong secret in form" => ClientCredentials(ClientId, "wrong"),
            "unknown client in form" => ClientCredentials("nobody", ClientSecret),
            "no credentials" => TokenRequest(("grant_type", "client_credentials")),
            "client_id without secret" => TokenRequest(("grant_type", "client_credentials"), ("client_id", ClientId)),
            "empty secret" => ClientCredentials(ClientId, string.Empty),
            "Basic and a different form client_id" => TokenRequest(("grant_type", "client_credentials"), ("client_id", OddClientId)),
            _ => TokenRequest(("grant_type", "client_credentials")),
        };
        var authorization = @case switch
        {
            "wrong secret in Basic" => Basic(ClientId, "wrong").ToString(),
            "unknown client in Basic" => Basic("nobody", ClientSecret).ToString(),
            "Basic not base64" => "Basic !!!not-base64!!!",
            "Basic without colon" => "Basic " + Convert.ToBase64String("c1s1"u8.ToArray()),
            "Basic with empty client id" => "Basic " + Convert.ToBase64String(":s1"u8.ToArray()),
            "Basic without credentials" => "Basic",
            "other scheme" => "Digest username=\"c1\"",
            "Basic and a different form client_id" => Basic(ClientId, ClientSecret).ToString(),
            _ => null,
        };
        if (authorization is not null)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
        }

        using var response = await app.Client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient);
        // §5.2: a 401 invalid_client names the scheme the client should use.
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Contains("realm=", challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_ConfiguredHashWithEmptyDigest_DoesNotStart()
    {
        // A mis-pasted hash ("…$salt$" with the digest missing) must stop the server, not let every secret in.
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(o => o.Clients.Add(new TokenClient
        {
            ClientId = "broken",
            ClientSecretHashes = ["PBKDF2-SHA256$1000$AAAAAAAAAAAAAAAAAAAAAA==$"],
            AllowedScopes = ["read"],
        })));

        Assert.Contains("client 'broken'", ex.Message, StringComparison.Ordinal);
        Assert.False(ClientSecretHasher.Verify("any secret at all", "PBKDF2-SHA256$1000$AAAAAAAAAAAAAAAAAAAAAA==$"));
        Assert.False(ClientSecretHasher.Verify(string.Empty, "SHA256$"));
    }

    // ---- §5.2: invalid_request ----

    [Fact]
    public async Task TokenRequest_BasicAndClientSecret_ReturnsInvalidRequest()
    {
        await using var app = await StartAsync();

        using var request = ClientCredentials();
        request.Headers.Authorization = Basic(ClientId, ClientSecret);
        using var response = await app.Client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
    }

    [Theory]
    [InlineData("grant_type")]
    [InlineData("client_id")]
    [InlineData("scope")]
    public async Task TokenRequest_RepeatedParameter_ReturnsInvalidRequest(string repeated)
    {
        await using var app = await StartAsync();
        var value = repeated switch
        {
            "grant_type" => "client_credentials",
            "client_id" => ClientId,
            _ => "read",
        };

        using var request = TokenRequest(
            ("grant_type", "client_credentials"), ("client_id", ClientId), ("client_secret", ClientSecret), ("scope", "read"), (repeated, value));
        using var response = await app.Client.SendAsync(request);

        var json = await AssertErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
        Assert.Contains(repeated, json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TokenRequest_MissingGrantType_ReturnsInvalidRequest(bool empty)
    {
        await using var app = await StartAsync();

        using var request = empty
            ? TokenRequest(("grant_type", string.Empty), ("client_id", ClientId), ("client_secret", ClientSecret))
            : TokenRequest(("client_id", ClientId), ("client_secret", ClientSecret));
        using var response = await app.Client.SendAsync(request);

        var json = await AssertErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
        Assert.Contains("grant_type", json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task TokenRequest_NotFormUrlEncoded_ReturnsInvalidRequest(string? contentType)
    {
        await using var app = await StartAsync();
        var body = contentType == "application/json"
            ? """{"grant_type":"client_credentials","client_id":"c1","client_secret":"s1"}"""
            : "grant_type=client_credentials&client_id=c1&client_secret=s1";
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = content };
        using var response = await app.Client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
    }

    [Fact]
    public async Task TokenRequest_FormContentTypeWithCharset_ReturnsToken()
    {
        await using var app = await StartAsync();
        using var content = new StringContent("grant_type=client_credentials&client_id=c1&client_secret=s1", Encoding.UTF8, "application/x-www-form-urlencoded");
        Assert.Equal("utf-8", content.Headers.ContentType?.CharSet);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = content };
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TokenRequest_BodyLargerThanMax_Returns413InvalidRequest(bool knownLength)
    {
        await using var app = await StartAsync(o => o.MaxRequestBodyLength = 1024);
        var body = Encoding.ASCII.GetBytes("grant_type=client_credentials&client_id=c1&client_secret=s1&pad=" + new string('x', 1024));
        using HttpContent content = knownLength ? new ByteArrayContent(body) : new UnknownLengthContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = content };
        using var response = await app.Client.SendAsync(request);

        var json = await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, OAuthErrors.InvalidRequest);
        Assert.False(json.TryGetProperty("access_token", out _));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TokenRequest_BodyExactlyMax_ReturnsToken(bool knownLength)
    {
        await using var app = await StartAsync(o => o.MaxRequestBodyLength = 1024);
        var prefix = "grant_type=client_credentials&client_id=c1&client_secret=s1&pad=";
        var body = Encoding.ASCII.GetBytes(prefix + new string('x', 1024 - prefix.Length));
        Assert.Equal(1024, body.Length);
        using HttpContent content = knownLength ? new ByteArrayContent(body) : new UnknownLengthContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = content };
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // ---- §5.2: grant errors ----

    [Theory]
    [InlineData("implicit")]
    [InlineData("Client_Credentials")]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code")]
    public async Task TokenRequest_UnsupportedGrantType_ReturnsUnsupportedGrantType(string grantType)
    {
        await using var app = await StartAsync();

        using var request = TokenRequest(("grant_type", grantType), ("client_id", ClientId), ("client_secret", ClientSecret), ("username", "u"), ("password", "p"));
        using var response = await app.Client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrors.UnsupportedGrantType);
    }

    [Fact]
    public async Task ClientCredentials_ClientNotAllowedGrant_ReturnsUnauthorizedClient()
    {
        await using var app = await StartAsync();

        using var request = ClientCredentials(RefreshOnlyClientId, RefreshOnlyClientSecret);
        using var response = await app.Client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrors.UnauthorizedClient);
    }

    // ---- the store: fail closed ----

    [Fact]
    public async Task ClientCredentials_TokenStoreThrows_Returns503TemporarilyUnavailableWithoutToken()
    {
        var store = new Mock<ITokenStore>(MockBehavior.Strict);
        store.Setup(s => s.SaveAsync(It.IsAny<TokenHash>(), It.IsAny<TokenInfo>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is active/available to service this operation."));
        await using var app = await StartAsync(o => o.RetryAfter = TimeSpan.FromSeconds(30), services: s => s.AddSingleton(store.Object));

        using var request = ClientCredentials();
        using var response = await app.Client.SendAsync(request);

        var json = await AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, OAuthErrors.TemporarilyUnavailable);
        Assert.False(json.TryGetProperty("access_token", out _));
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        store.Verify(s => s.SaveAsync(It.IsAny<TokenHash>(), It.IsAny<TokenInfo>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "TokenStoreUnavailable" && e.Text.Contains(nameof(RedisConnectionException), StringComparison.Ordinal));
    }

    // ---- JWT mode ----

    [Fact]
    public async Task ClientCredentials_SigningCredentials_IssuesAtJwtThatAuthenticates()
    {
        var key = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(64));
        var store = new Mock<ITokenStore>(MockBehavior.Strict);
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
            },
            s => s.AddSingleton(store.Object));

        using var request = ClientCredentials();
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ReadJsonAsync(response);
        var token = json.GetProperty("access_token").GetString()!;
        Assert.Equal(3, token.Split('.').Length);
        var jwt = new JsonWebToken(token);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal(SecurityAlgorithms.HmacSha256, jwt.Alg);
        Assert.Equal("https://issuer.test", jwt.Issuer);
        Assert.Equal(["api"], jwt.Audiences);
        Assert.Equal(ClientId, jwt.Subject);
        Assert.Equal(ClientId, jwt.GetClaim(TokenAuthClaimTypes.ClientId).Value);
        Assert.Equal("read write", jwt.GetClaim(TokenAuthClaimTypes.Scope).Value);
        Assert.Equal(TestApp.Start.UtcDateTime, jwt.IssuedAt);
        Assert.Equal(TestApp.Start.UtcDateTime.AddHours(1), jwt.ValidTo);
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.Equal(3600, json.GetProperty("expires_in").GetInt32());
        // A JWT is self-contained: nothing is written to the store.
        store.VerifyNoOtherCalls();

        using (var protectedResponse = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, protectedResponse.StatusCode);
            var me = await ReadJsonAsync(protectedResponse);
            Assert.Equal(ClientId, me.GetProperty("sub").GetString());
            Assert.Equal(["read", "write"], me.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        }

        // Past exp and the default five-minute clock skew, the JWT is refused.
        app.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        using (var expired = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        }
    }

    // ---- logs ----

    [Fact]
    public async Task TokenEndpoint_GoodAndBadRequests_LogNeitherTokensNorSecrets()
    {
        const string secret = "log-secret-5b7e1c9d";
        const string wrongSecret = "wrong-secret-a83f02";
        await using var app = await StartAsync(o => o.Clients.Add(Client("logger", secret, ["read", "write"])));
        var tokens = new List<string>();
        var sent = new List<string> { secret, wrongSecret, OddClientSecret, WebUtility.UrlEncode(OddClientSecret) };

        async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
        {
            using (request)
            {
                var response = await app.Client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode && body.Contains("access_token", StringComparison.Ordinal))
                {
                    using var document = JsonDocument.Parse(body);
                    tokens.Add(document.RootElement.GetProperty("access_token").GetString()!);
                }

                return response;
            }
        }

        // Good requests: form and Basic, all scopes and a subset.
        (await SendAsync(ClientCredentials("logger", secret))).Dispose();
        (await SendAsync(ClientCredentials("logger", secret, "read"))).Dispose();
        var basic = TokenRequest(("grant_type", "client_credentials"));
        basic.Headers.Authorization = Basic(OddClientId, OddClientSecret);
        sent.Add(basic.Headers.Authorization.Parameter!);
        (await SendAsync(basic)).Dispose();

        // Bad requests, each carrying a secret somewhere.
        (await SendAsync(ClientCredentials("logger", wrongSecret))).Dispose();
        (await SendAsync(ClientCredentials("nobody", secret))).Dispose();
        (await SendAsync(ClientCredentials("logger", secret, "read admin"))).Dispose();
        (await SendAsync(TokenRequest(("grant_type", "password"), ("client_id", "logger"), ("client_secret", secret), ("password", secret)))).Dispose();
        (await SendAsync(TokenRequest(("grant_type", "client_credentials"), ("grant_type", "client_credentials"), ("client_id", "logger"), ("client_secret", secret)))).Dispose();
        var both = ClientCredentials("logger", secret);
        both.Headers.Authorization = Basic("logger", secret);
        sent.Add(both.Headers.Authorization.Parameter!);
        (await SendAsync(both)).Dispose();
        var wrongBasic = TokenRequest(("grant_type", "client_credentials"));
        wrongBasic.Headers.Authorization = Basic("logger", wrongSecret);
        sent.Add(wrongBasic.Headers.Authorization.Parameter!);
        (await SendAsync(wrongBasic)).Dispose();
        (await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new StringContent($$"""{"grant_type":"client_credentials","client_id":"logger","client_secret":"{{secret}}"}""", Encoding.UTF8, "application/json"),
        })).Dispose();

        // The tokens in use: good, on each source, then expired.
        Assert.Equal(3, tokens.Count);
        foreach (var token in tokens)
        {
            using var ok = await SendAsync(TestApp.Get("/protected", token));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var headerRequest = new HttpRequestMessage(HttpMethod.Get, "/protected");
        headerRequest.Headers.Add("Access-Token", tokens[0]);
        (await SendAsync(headerRequest)).Dispose();
        (await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/protected?access_token=" + tokens[2]))).Dispose();
        (await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/protected")
        {
            Content = new FormUrlEncodedContent([new("access_token", tokens[1])]),
        })).Dispose();
        var conflicting = TestApp.Get("/protected", tokens[0]);
        conflicting.Headers.Add("Access-Token", tokens[1]);
        (await SendAsync(conflicting)).Dispose();
        app.Time.Advance(TimeSpan.FromHours(2));
        using (var expired = await SendAsync(TestApp.Get("/protected", tokens[2])))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        }

        var logs = app.Logs.TextOutsideHostingRequestLines;
        // The run was logged (issuance, refusals, validation), so the absence below means something.
        Assert.Equal(3, app.Logs.Entries.Count(e => e.EventId.Name == "TokenIssued"));
        Assert.True(app.Logs.Entries.Count(e => e.EventId.Name == "TokenRequestRefused") >= 8);
        Assert.Contains(TokenHash.Compute(tokens[0]).Prefix, logs, StringComparison.Ordinal);
        foreach (var token in tokens)
        {
            Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(TokenHash.Compute(token).Value, logs, StringComparison.Ordinal);
        }

        foreach (var value in sent)
        {
            Assert.DoesNotContain(value, logs, StringComparison.Ordinal);
        }
    }

    private static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var json = await ReadJsonAsync(response);
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("error_description").GetString()));
        Assert.False(json.TryGetProperty("access_token", out _));
        return json;
    }

    /// <summary>A body whose length is not announced (no Content-Length), like a chunked upload.</summary>
    private sealed class UnknownLengthContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
