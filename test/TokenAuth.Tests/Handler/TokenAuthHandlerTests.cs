using Microsoft.AspNetCore.Authentication;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Handler.Http;

namespace TokenAuth.Tests.Handler;

public class TokenAuthHandlerTests
{
    [Fact]
    public async Task Protected_NoToken_401WithBareBearerChallenge()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetAsync("/protected");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, error: null);
        Assert.Equal("Bearer", Challenge(response));
    }

    [Fact]
    public async Task Anonymous_NoToken_200Unauthenticated()
    {
        await using var app = await TestApp.StartAsync();

        var json = await JsonAsync(await app.Client.GetAsync("/anonymous"));

        Assert.False(json.GetProperty("authenticated").GetBoolean());
    }

    [Theory]
    [InlineData("authorization", "AuthorizationHeader")]
    [InlineData("Access-Token", "Header")]
    [InlineData("access_token", "Header")]
    [InlineData("query", "Query")]
    [InlineData("form", "Form")]
    public async Task Protected_TokenInEachSource_200WithSource(string where, string source)
    {
        await using var app = await TestApp.StartAsync();
        var token = await app.IssueAsync();
        var request = where switch
        {
            "authorization" => new HttpRequestMessage(HttpMethod.Get, "/protected") { Headers = { { "Authorization", "bEaReR " + token } } },
            "query" => new HttpRequestMessage(HttpMethod.Get, "/protected?access_token=" + token),
            "form" => new HttpRequestMessage(HttpMethod.Post, "/protected") { Content = new FormUrlEncodedContent([new("access_token", token)]) },
            _ => new HttpRequestMessage(HttpMethod.Get, "/protected") { Headers = { { where, token } } },
        };

        var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await JsonAsync(response);
        Assert.Equal("user-1", json.GetProperty("sub").GetString());
        Assert.Equal("client-1", json.GetProperty("clientId").GetString());
        Assert.Equal(["read", "write"], json.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(source, json.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Ticket_CarriesTheTokensDates_AsJwtBearerDoes_ReadBackByThePublicGetters()
    {
        DateTimeOffset? expires = null, issued = null;
        string? exp = null;
        await using var app = await TestApp.StartAsync(map: a => a.MapGet("/ticket", async (HttpContext context) =>
        {
            var result = await context.AuthenticateAsync();
            expires = result.Properties!.ExpiresUtc;
            issued = result.Properties.IssuedUtc;
            exp = result.Principal!.FindFirst(TokenAuthClaimTypes.Expiration)?.Value;
            return Results.Ok();
        }));
        var issuedAt = TestApp.Start.AddMinutes(-5);
        var expiresAt = TestApp.Start.AddMinutes(55).AddMilliseconds(700);
        var token = await app.IssueAsync(new TokenInfo { Subject = "user-1", IssuedAt = issuedAt, ExpiresAt = expiresAt });

        // Twice: the second request is served the formatted values the first one made.
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/ticket", token))).StatusCode);
            Assert.Equal(issuedAt, issued);
            Assert.Equal(expiresAt.AddMilliseconds(-700), expires);   // AuthenticationProperties keeps whole seconds
            Assert.Equal(expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), exp);
        }
    }

    [Fact]
    public async Task QueryToken_ResponseIsNotCacheable_HeaderTokenIsUntouched()
    {
        await using var app = await TestApp.StartAsync();
        var token = await app.IssueAsync();

        var byQuery = await app.Client.GetAsync("/protected?access_token=" + token);
        var byHeader = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.True(byQuery.Headers.CacheControl?.NoStore);
        Assert.Null(byHeader.Headers.CacheControl);
    }

    [Fact]
    public async Task QueryToken_EvenWhenRefused_ResponseIsNotCacheable()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetAsync("/protected?access_token=unknown");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task TwoDifferentTokens_400InvalidRequest()
    {
        await using var app = await TestApp.StartAsync();
        var token = await app.IssueAsync();
        var request = TestApp.Get("/protected?access_token=other", token);

        var response = await app.Client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("error=\"invalid_request\"", Challenge(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameTokenTwice_200()
    {
        await using var app = await TestApp.StartAsync();
        var token = await app.IssueAsync();
        var request = TestApp.Get("/protected?access_token=" + token, token);
        request.Headers.Add("Access-Token", token);

        var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownToken_401InvalidTokenWithDescription()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendAsync(TestApp.Get("/protected", "not-a-known-token"));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token is unknown, revoked or expired.\"", Challenge(response));
    }

    [Fact]
    public async Task StoreToken_AfterExpiry_401()
    {
        await using var app = await TestApp.StartAsync();
        var token = await app.IssueAsync(new TokenInfo { Subject = "u", ExpiresAt = TestApp.Start.AddMinutes(10) });

        var before = await app.Client.SendAsync(TestApp.Get("/protected", token));
        app.Time.Advance(TimeSpan.FromMinutes(10));
        var after = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task ValidatorSaysValidButExpired_HandlerStillRefuses()
    {
        // A validator (or a cache in front of one) that returns a stale answer must not outlive the token.
        var stale = new FixedValidator(TokenCheckResult.Valid(new TokenInfo { Subject = "u", ExpiresAt = TestApp.Start.AddMinutes(-1) }));
        await using var app = await TestApp.StartAsync(o => o.Validator = stale);

        var response = await app.Client.SendAsync(TestApp.Get("/protected", "tok"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", Challenge(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedToken_401()
    {
        await using var app = await TestApp.StartAsync();
        var token = await app.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);

        await app.Store.RemoveAsync(TokenHash.Compute(token));

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);
    }

    [Theory]
    [InlineData("?access_token=%01abc", "characters")]
    [InlineData("?access_token=a%20b", "characters")]
    [InlineData("?access_token=", "empty")]
    public async Task MalformedToken_401BeforeAnyBackend(string query, string reason)
    {
        var validator = new FixedValidator(TokenCheckResult.Valid(new TokenInfo { Subject = "u" }));
        await using var app = await TestApp.StartAsync(o => o.Validator = validator);

        var response = await app.Client.GetAsync("/protected" + query);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(reason, Challenge(response), StringComparison.Ordinal);
        Assert.Equal(0, validator.Calls);
    }

    [Fact]
    public async Task OverLongToken_401BeforeAnyBackend()
    {
        var validator = new FixedValidator(TokenCheckResult.Valid(new TokenInfo { Subject = "u" }));
        await using var app = await TestApp.StartAsync(o => o.Validator = validator);

        var response = await app.Client.SendAsync(TestApp.Get("/protected", new string('a', TokenAuthDefaults.MaxTokenLength + 1)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("longer than 8192", Challenge(response), StringComparison.Ordinal);
        Assert.Equal(0, validator.Calls);
    }

    [Fact]
    public async Task StoreUnreachable_503WithRetryAfter_Never401()
    {
        var store = new Mock<ITokenStore>();
        store.Setup(s => s.FindAsync(It.IsAny<TokenHash>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException("redis timed out"));
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton(store.Object));

        var response = await app.Client.SendAsync(TestApp.Get("/protected", "some-token"));

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.DoesNotContain("redis timed out", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreUnreachable_AnonymousEndpoint_StaysAnonymous()
    {
        var store = new Mock<ITokenStore>();
        store.Setup(s => s.FindAsync(It.IsAny<TokenHash>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException());
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton(store.Object));

        var json = await JsonAsync(await app.Client.SendAsync(TestApp.Get("/anonymous", "some-token")));

        Assert.False(json.GetProperty("authenticated").GetBoolean());
    }

    [Fact]
    public async Task ValidatorThrows_503()
    {
        var validator = new Mock<ITokenValidator>();
        validator.Setup(v => v.ValidateAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ThrowsAsync(new HttpRequestException("down"));
        await using var app = await TestApp.StartAsync(o => o.Validator = validator.Object);

        var response = await app.Client.SendAsync(TestApp.Get("/protected", "tok"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task ValidatorUnavailableWithHint_RetryAfterFollowsIt()
    {
        var validator = new FixedValidator(TokenCheckResult.Unavailable("The authority is down.", retryAfter: TimeSpan.FromSeconds(30)));
        await using var app = await TestApp.StartAsync(o => o.Validator = validator);

        var response = await app.Client.SendAsync(TestApp.Get("/protected", "tok"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task MissingScope_403InsufficientScopeNamingIt()
    {
        await using var app = await TestApp.StartAsync();
        var token = await app.IssueAsync(new TokenInfo { Subject = "u", Scopes = ["read"] });

        var response = await app.Client.SendAsync(TestApp.Get("/scoped", token));

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "insufficient_scope");
        var challenge = Challenge(response);
        Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
        Assert.Contains("scope=\"write\"", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HasScope_200()
    {
        await using var app = await TestApp.StartAsync();
        var token = await app.IssueAsync(new TokenInfo { Subject = "u", Scopes = ["read", "write"] });

        var response = await app.Client.SendAsync(TestApp.Get("/scoped", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Scoped_NoToken_401NotForbidden()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetAsync("/scoped");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task IncludeErrorDetailsOff_KeepsErrorCodeDropsDescription()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.IncludeErrorDetails = false;
        });

        var response = await app.Client.SendAsync(TestApp.Get("/protected", "unknown"));

        Assert.Equal("Bearer error=\"invalid_token\"", Challenge(response));
    }

    [Fact]
    public async Task Realm_IsInTheChallenge()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Realm = "api";
        });

        var response = await app.Client.GetAsync("/protected");

        Assert.Equal("Bearer realm=\"api\"", Challenge(response));
    }

    [Fact]
    public async Task DisabledQuerySource_QueryTokenIsIgnored()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Sources.Query = false;
        });
        var token = await app.IssueAsync();

        var response = await app.Client.GetAsync("/protected?access_token=" + token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Challenge(response));
    }

    [Fact]
    public async Task RenamedHeader_IsRead()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Sources.HeaderNames = ["X-Token"];
        });
        var token = await app.IssueAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/protected") { Headers = { { "X-Token", token } } };

        var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OnMessageReceived_SuppliesTheToken()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Events.OnMessageReceived = c =>
            {
                c.Token = c.Request.Headers["X-Custom"];
                return Task.CompletedTask;
            };
        });
        var token = await app.IssueAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/protected") { Headers = { { "X-Custom", token } } };

        var json = await JsonAsync(await app.Client.SendAsync(request));

        Assert.Equal("Event", json.GetProperty("source").GetString());
    }

    [Fact]
    public async Task OnMessageReceived_Fail_401()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Events.OnMessageReceived = c =>
            {
                c.Fail("blocked by policy");
                return Task.CompletedTask;
            };
        });
        var token = await app.IssueAsync();

        var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Challenge(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnTokenValidated_CanAddClaimsOrReject()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Events.OnTokenValidated = c =>
            {
                if (c.TokenInfo.Subject == "blocked")
                {
                    c.Fail("blocked user");
                }
                else
                {
                    ((System.Security.Claims.ClaimsIdentity)c.Principal!.Identity!).AddClaim(new(TokenAuthClaimTypes.Role, "added"));
                }

                return Task.CompletedTask;
            };
        });
        var good = await app.IssueAsync(new TokenInfo { Subject = "ok" });
        var blocked = await app.IssueAsync(new TokenInfo { Subject = "blocked" });

        var json = await JsonAsync(await app.Client.SendAsync(TestApp.Get("/protected", good)));
        var refused = await app.Client.SendAsync(TestApp.Get("/protected", blocked));

        Assert.Equal(["added"], json.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task OnAuthenticationFailed_SeesTheFailure()
    {
        TokenAuthException? seen = null;
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Events.OnAuthenticationFailed = c =>
            {
                seen = c.Exception;
                return Task.CompletedTask;
            };
        });

        await app.Client.SendAsync(TestApp.Get("/protected", "unknown"));

        Assert.NotNull(seen);
        Assert.Equal("invalid_token", seen.Error);
        Assert.Equal(401, seen.StatusCode);
    }

    [Fact]
    public async Task OnChallenge_WritesItsOwnEnvelope()
    {
        // Seed 004 answers {code, message, data, ok}: a host can keep that envelope for auth failures.
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Events.OnChallenge = async c =>
            {
                c.HandleResponse();
                c.Response.StatusCode = c.StatusCode;
                await c.Response.WriteAsJsonAsync(new { code = c.StatusCode, message = c.ErrorDescription ?? "token required", data = (string?)null, ok = false });
            };
        });

        var response = await app.Client.SendAsync(TestApp.Get("/protected", "unknown"));
        var json = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(401, json.GetProperty("code").GetInt32());
        Assert.Equal("The token is unknown, revoked or expired.", json.GetProperty("message").GetString());
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task OnForbidden_WritesItsOwnEnvelope()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Events.OnForbidden = async c =>
            {
                c.HandleResponse();
                c.Response.StatusCode = 403;
                await c.Response.WriteAsJsonAsync(new { resp_code = 403, resp_msg = "needs " + string.Join(' ', c.RequiredScopes) });
            };
        });
        var token = await app.IssueAsync(new TokenInfo { Subject = "u", Scopes = ["read"] });

        var json = await JsonAsync(await app.Client.SendAsync(TestApp.Get("/scoped", token)));

        Assert.Equal("needs write", json.GetProperty("resp_msg").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SaveToken_ControlsWhetherTheFeatureHoldsTheToken(bool save)
    {
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                o.SaveToken = save;
            },
            map: a => a.MapGet("/feature", (HttpContext c) => Results.Text(c.Features.Get<ITokenAuthFeature>()?.Token ?? "(none)")).RequireAuthorization());
        var token = await app.IssueAsync();

        var body = await (await app.Client.SendAsync(TestApp.Get("/feature", token))).Content.ReadAsStringAsync();

        Assert.Equal(save ? token : "(none)", body);
    }
}
