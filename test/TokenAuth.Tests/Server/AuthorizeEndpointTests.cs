using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Moq;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Server.TokenServerApp;

namespace TokenAuth.Tests.Server;

/// <summary>
/// The authorization endpoint through a real pipeline, driven like a browser (<see cref="PageSession"/>): RFC 6749 §4.1
/// (code) and §4.2 (implicit), RFC 7636 (PKCE), seed 003's documented requests, the login and consent pages.
/// </summary>
public sealed class AuthorizeEndpointTests
{
    private const string WebId = "web";
    private const string WebSecret = "web-secret";
    private const string WebRedirect = "https://client.example/cb";
    private const string SpaId = "spa";
    private const string SpaRedirect = "https://spa.example/cb";
    private const string LegacyId = "legacy";
    private const string LegacyRedirect = "https://legacy.example/cb";

    // ---- seed 003: the code flow for a confidential client without PKCE ----

    [Fact]
    public async Task Seed003_CodeFlowWithoutPkce_ExchangeAnswersPlainJsonAndTokenWorks()
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);

        // GET /api-uaa/oauth/authorize?client_id&redirect_uri&response_type=code&scope&state, exactly as documented.
        var location = await session.AuthorizeAsync(
            $"/api-uaa/oauth/authorize?client_id={WebId}&redirect_uri={Uri.EscapeDataString(WebRedirect)}&response_type=code&scope=read&state=s-003");

        Assert.Equal(WebRedirect, location.GetLeftPart(UriPartial.Path));
        var answer = PageSession.Parameters(location);
        Assert.Equal("s-003", answer["state"]);
        var code = answer["code"].ToString();

        // POST /api-uaa/oauth/token?code&grant_type=authorization_code&redirect_uri&scope, HTTP Basic, no code_verifier.
        using var exchange = new HttpRequestMessage(HttpMethod.Post,
            $"/api-uaa/oauth/token?code={Uri.EscapeDataString(code)}&grant_type=authorization_code&redirect_uri={Uri.EscapeDataString(WebRedirect)}&scope=read");
        exchange.Headers.Authorization = Basic(WebId, WebSecret);
        using var response = await app.Client.SendAsync(exchange);

        var json = await ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Seed 003 answers the code exchange in plain RFC 6749 JSON, not in its resp_code/datas envelope.
        Assert.False(json.TryGetProperty("resp_code", out _), json.ToString());
        Assert.Equal("bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3599, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("read", json.GetProperty("scope").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("refresh_token").GetString()));
        await AssertTokenWorksAsync(app, json.GetProperty("access_token").GetString()!);
    }

    [Fact]
    public async Task CodeFlow_RedirectUriLeftOutWithOneRegistered_UsesItAndExchangesWithoutIt()
    {
        await using var app = await StartAsync();
        var location = await new PageSession(app.Client).AuthorizeAsync($"/oauth/authorize?response_type=code&client_id={WebId}");

        Assert.Equal(WebRedirect, location.GetLeftPart(UriPartial.Path));
        var (status, json) = await ExchangeAsync(app, PageSession.Parameters(location)["code"]!, WebId, WebSecret, redirectUri: null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("read write", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task CodeFlow_RedirectUriLeftOut_ExchangeMayNameTheRegisteredOneButNoOther()
    {
        await using var app = await StartAsync();
        var location = await new PageSession(app.Client).AuthorizeAsync($"/oauth/authorize?response_type=code&client_id={WebId}");
        var code = PageSession.Parameters(location)["code"].ToString();

        var (other, json) = await ExchangeAsync(app, code, WebId, WebSecret, "https://client.example/other");
        var (registered, _) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, other);
        Assert.Equal(OAuthErrors.InvalidGrant, json.GetProperty("error").GetString());
        Assert.Equal("The redirect_uri does not match the one of the authorization request.", json.GetProperty("error_description").GetString());
        Assert.Equal(HttpStatusCode.OK, registered);
    }

    [Fact]
    public async Task CodeFlow_RedirectUriWithQuery_CodeIsAppendedToIt()
    {
        const string withQuery = "https://client.example/cb?tenant=acme";
        await using var app = await StartAsync(o => o.Clients.Single(c => c.ClientId == WebId).RedirectUris.Add(withQuery));
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, withQuery, state: "x"));

        Assert.StartsWith(withQuery + "&code=", location.OriginalString, StringComparison.Ordinal);
        Assert.EndsWith("&state=x", location.OriginalString, StringComparison.Ordinal);
        var (status, _) = await ExchangeAsync(app, PageSession.Parameters(location)["code"]!, WebId, WebSecret, withQuery);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    // ---- PKCE (RFC 7636) ----

    [Fact]
    public async Task Pkce_S256PublicClient_ExchangesWithClientIdAndVerifier()
    {
        await using var app = await StartAsync();
        var (verifier, challenge) = NewPkce();
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(SpaId, SpaRedirect, "read", "st", ("code_challenge", challenge), ("code_challenge_method", "S256")));

        var (status, json) = await ExchangeAsync(app, PageSession.Parameters(location)["code"]!, SpaId, secret: null, SpaRedirect, verifier);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.True(json.TryGetProperty("refresh_token", out _));
        await AssertTokenWorksAsync(app, json.GetProperty("access_token").GetString()!);
    }

    [Fact]
    public async Task Pkce_WrongVerifier_InvalidGrant()
    {
        await using var app = await StartAsync();
        var (_, challenge) = NewPkce();
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(SpaId, SpaRedirect, "read", null, ("code_challenge", challenge), ("code_challenge_method", "S256")));

        var (status, json) = await ExchangeAsync(app, PageSession.Parameters(location)["code"]!, SpaId, null, SpaRedirect, NewPkce().Verifier);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(OAuthErrors.InvalidGrant, json.GetProperty("error").GetString());
        Assert.Equal("The code_verifier does not match the code_challenge.", json.GetProperty("error_description").GetString());
    }

    [Theory]
    [InlineData(128, null, true)]
    [InlineData(43, null, true)]
    [InlineData(129, null, false)]
    [InlineData(42, null, false)]
    [InlineData(43, "+", false)]
    [InlineData(60, "%", false)]
    public async Task Pkce_Verifier_43To128UnreservedCharacters(int length, string? odd, bool accepted)
    {
        await using var app = await StartAsync();
        // The challenge is the verifier's own S256: only its syntax can refuse it.
        var verifier = Unreserved(length - (odd?.Length ?? 0)) + odd;
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(SpaId, SpaRedirect, "read", null, ("code_challenge", challenge), ("code_challenge_method", "S256")));

        var (status, json) = await ExchangeAsync(app, PageSession.Parameters(location)["code"]!, SpaId, null, SpaRedirect, verifier);

        if (accepted)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            return;
        }

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(OAuthErrors.InvalidRequest, json.GetProperty("error").GetString());
        Assert.Equal("The code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~' (RFC 7636, section 4.1).", json.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Pkce_VerifierForACodeIssuedWithoutChallenge_InvalidGrantAndTheCodeStillRedeemsWithout()
    {
        await using var app = await StartAsync();
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect));
        var code = PageSession.Parameters(location)["code"].ToString();

        // RFC 9700 §4.8.2: a verifier where no challenge was sent is a downgrade attempt.
        var (with, json) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect, NewPkce().Verifier);
        var (without, _) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, with);
        Assert.Equal(OAuthErrors.InvalidGrant, json.GetProperty("error").GetString());
        Assert.Equal("The code was issued without a code_challenge; send no code_verifier.", json.GetProperty("error_description").GetString());
        Assert.Equal(HttpStatusCode.OK, without);
    }

    [Theory]
    [InlineData(SpaId, SpaRedirect)]       // public: always
    [InlineData("pkce-web", WebRedirect)]  // confidential with RequirePkce (the default)
    public async Task Pkce_MissingWhereRequired_RedirectsInvalidRequestBeforeAnyLogin(string clientId, string redirectUri)
    {
        await using var app = await StartAsync();

        var page = await new PageSession(app.Client).GetAsync(AuthorizeUrl(clientId, redirectUri, state: "s"));

        AssertRedirectError(page, redirectUri, OAuthErrors.InvalidRequest, "s");
        Assert.Contains("PKCE is required", PageSession.Parameters(new Uri(page.Location!))["error_description"].ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData(null)] // RFC 7636 §4.3: no method means plain
    public async Task Pkce_PlainNotAllowed_RedirectsInvalidRequest(string? method)
    {
        await using var app = await StartAsync();
        var (verifier, _) = NewPkce();
        (string, string)[] pkce = method is null ? [("code_challenge", verifier)] : [("code_challenge", verifier), ("code_challenge_method", method)];

        var page = await new PageSession(app.Client).GetAsync(AuthorizeUrl(SpaId, SpaRedirect, "read", "s", pkce));

        AssertRedirectError(page, SpaRedirect, OAuthErrors.InvalidRequest, "s");
        Assert.Contains("plain", PageSession.Parameters(new Uri(page.Location!))["error_description"].ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", 43)]
    [InlineData(null, 43)]
    [InlineData("plain", 60)]
    [InlineData("plain", 128)]
    public async Task Pkce_PlainAllowed_ExchangesWithTheChallengeAsVerifier(string? method, int length)
    {
        await using var app = await StartAsync(o => o.Clients.Single(c => c.ClientId == SpaId).AllowPlainPkce = true);
        // A plain challenge has the verifier's syntax (RFC 7636 §4.2), not the 43 base64url characters of an S256 one.
        var verifier = length == 43 ? NewPkce().Verifier : Unreserved(length);
        (string, string)[] pkce = method is null ? [("code_challenge", verifier)] : [("code_challenge", verifier), ("code_challenge_method", method)];
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(SpaId, SpaRedirect, "read", null, pkce));

        var (status, _) = await ExchangeAsync(app, PageSession.Parameters(location)["code"]!, SpaId, null, SpaRedirect, verifier);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("too-short", "S256")]
    [InlineData("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ+", "S256")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cMA", "S256")]         // 44 base64url characters
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM.~Abcde", "S256")]  // 50 unreserved: a plain challenge's syntax
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S512")]
    [InlineData(null, "S256")]
    public async Task Pkce_MalformedChallengeOrMethod_RedirectsInvalidRequest(string? challenge, string method)
    {
        await using var app = await StartAsync();
        (string, string)[] pkce = challenge is null ? [("code_challenge_method", method)] : [("code_challenge", challenge), ("code_challenge_method", method)];

        var page = await new PageSession(app.Client).GetAsync(AuthorizeUrl(SpaId, SpaRedirect, "read", "s", pkce));

        AssertRedirectError(page, SpaRedirect, OAuthErrors.InvalidRequest, "s");
    }

    [Fact]
    public async Task Pkce_ChallengeFromConfidentialClientWithoutRequirement_IsStillChecked()
    {
        await using var app = await StartAsync();
        var (verifier, challenge) = NewPkce();
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect, null, null, ("code_challenge", challenge), ("code_challenge_method", "S256")));
        var code = PageSession.Parameters(location)["code"].ToString();

        var (without, json) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect);
        var (with, _) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect, verifier);

        Assert.Equal(HttpStatusCode.BadRequest, without);
        Assert.Equal(OAuthErrors.InvalidGrant, json.GetProperty("error").GetString());
        Assert.Equal("The parameter 'code_verifier' is required for this code (RFC 7636).", json.GetProperty("error_description").GetString());
        Assert.Equal(HttpStatusCode.OK, with);
    }

    // ---- the code: single use, 60 s, bound to its client (RFC 6749 §4.1.2, §4.1.3) ----

    [Fact]
    public async Task Code_Replayed_InvalidGrantAndRevokesWhatItIssued()
    {
        await using var app = await StartAsync();
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect));
        var code = PageSession.Parameters(location)["code"].ToString();
        var (first, issued) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect);
        Assert.Equal(HttpStatusCode.OK, first);
        var accessToken = issued.GetProperty("access_token").GetString()!;
        await AssertTokenWorksAsync(app, accessToken);

        var (replay, error) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, replay);
        Assert.Equal(OAuthErrors.InvalidGrant, error.GetProperty("error").GetString());
        using (var revoked = await app.Client.SendAsync(TestApp.Get("/protected", accessToken)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        }

        using var refresh = TokenRequest(("grant_type", "refresh_token"), ("refresh_token", issued.GetProperty("refresh_token").GetString()!), ("client_id", WebId), ("client_secret", WebSecret));
        using var refreshed = await app.Client.SendAsync(refresh);
        Assert.Equal(HttpStatusCode.BadRequest, refreshed.StatusCode);
        Assert.Equal(OAuthErrors.InvalidGrant, (await ReadJsonAsync(refreshed)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Code_PresentedWhileAnotherRequestRedeemsIt_RaceLostThenAReplay_LogsNameTheAuthorizationCode()
    {
        await using var app = await StartAsync();
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect));
        var code = PageSession.Parameters(location)["code"].ToString();
        var grants = app.Services.GetRequiredService<IGrantStore>();
        var handle = TokenIssuer.CodeHandle(code);
        // Another request has consumed the code and is issuing its tokens.
        await grants.ConsumeAsync(handle, app.Time.GetUtcNow());

        var (raced, _) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, raced);
        Assert.Contains("GrantKind=authorization code", SingleLog(app, "GrantRaceLost"), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Entries, e => e.EventId.Name == "GrantReplayed");

        // That redemption completed: the code again is a replay.
        await grants.CompleteAsync(handle, app.Time.GetUtcNow());
        var (replayed, _) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, replayed);
        Assert.Contains("GrantKind=authorization code", SingleLog(app, "GrantReplayed"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(59, HttpStatusCode.OK)]
    [InlineData(60, HttpStatusCode.BadRequest)]
    public async Task Code_LivesSixtySeconds(int seconds, HttpStatusCode expected)
    {
        await using var app = await StartAsync();
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect));

        app.Time.Advance(TimeSpan.FromSeconds(seconds));
        var (status, _) = await ExchangeAsync(app, PageSession.Parameters(location)["code"]!, WebId, WebSecret, WebRedirect);

        Assert.Equal(expected, status);
    }

    [Fact]
    public async Task Code_RedeemedByAnotherClient_InvalidGrant()
    {
        await using var app = await StartAsync(o => o.Clients.Add(WebClient("other-web", "other-secret", WebRedirect)));
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect));

        var (status, json) = await ExchangeAsync(app, PageSession.Parameters(location)["code"]!, "other-web", "other-secret", WebRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(OAuthErrors.InvalidGrant, json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Code_WithAnotherRedirectUri_InvalidGrant()
    {
        const string second = "https://client.example/other";
        await using var app = await StartAsync(o => o.Clients.Single(c => c.ClientId == WebId).RedirectUris.Add(second));
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect));

        var (status, _) = await ExchangeAsync(app, PageSession.Parameters(location)["code"]!, WebId, WebSecret, second);

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    // ---- what is shown instead of a redirect (§4.1.2.1) ----

    [Theory]
    [InlineData("https://client.example/cb/")]
    [InlineData("https://CLIENT.example/cb")]
    [InlineData("https://client.example/cb?x=1")]
    [InlineData("https://client.example/c")]
    [InlineData("https://attacker.example/cb")]
    [InlineData("http://client.example/cb")]
    public async Task RedirectUri_NotExactlyRegistered_ShowsErrorPageNeverRedirects(string redirectUri)
    {
        await using var app = await StartAsync();

        var page = await new PageSession(app.Client).GetAsync(AuthorizeUrl(WebId, redirectUri, state: "s"));

        AssertErrorPage(page, HttpStatusCode.BadRequest, "not one registered");
    }

    [Theory]
    [InlineData("client_id=nobody&response_type=code&redirect_uri=https%3A%2F%2Fclient.example%2Fcb", "unknown")]
    [InlineData("response_type=code&redirect_uri=https%3A%2F%2Fclient.example%2Fcb", "names no client")]
    [InlineData("client_id=multi&response_type=code", "several registered")]
    [InlineData("client_id=web&client_id=web&response_type=code", "more than once")]
    [InlineData("client_id=web&response_type=code&redirect_uri=https%3A%2F%2Fclient.example%2Fcb&redirect_uri=https%3A%2F%2Fattacker.example%2F", "more than once")]
    public async Task ClientOrRedirectUntrustworthy_ShowsErrorPage(string query, string expected)
    {
        await using var app = await StartAsync(o =>
        {
            var multi = WebClient("multi", "multi-secret", WebRedirect);
            multi.RedirectUris.Add("https://client.example/two");
            o.Clients.Add(multi);
        });

        var page = await new PageSession(app.Client).GetAsync("/oauth/authorize?" + query);

        AssertErrorPage(page, HttpStatusCode.BadRequest, expected);
    }

    // ---- errors that go back to the client ----

    [Theory]
    [InlineData(null, OAuthErrors.InvalidRequest)]
    [InlineData("id_token", OAuthErrors.UnsupportedResponseType)]
    [InlineData("Code", OAuthErrors.UnsupportedResponseType)]
    public async Task ResponseType_MissingOrUnknown_RedirectsWithError(string? responseType, string error)
    {
        await using var app = await StartAsync();
        var query = $"client_id={WebId}&redirect_uri={Uri.EscapeDataString(WebRedirect)}&state=s" + (responseType is null ? string.Empty : "&response_type=" + responseType);

        var page = await new PageSession(app.Client).GetAsync("/oauth/authorize?" + query);

        AssertRedirectError(page, WebRedirect, error, "s");
    }

    [Fact]
    public async Task ResponseTypeCode_ClientWithoutCodeGrant_RedirectsUnauthorizedClient()
    {
        await using var app = await StartAsync();

        var page = await new PageSession(app.Client).GetAsync(AuthorizeUrl(LegacyId, LegacyRedirect, state: "s"));

        AssertRedirectError(page, LegacyRedirect, OAuthErrors.UnauthorizedClient, "s");
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("read admin")]
    public async Task Scope_NotAllowed_RedirectsInvalidScope(string scope)
    {
        await using var app = await StartAsync();

        var page = await new PageSession(app.Client).GetAsync(AuthorizeUrl(WebId, WebRedirect, scope, "s"));

        AssertRedirectError(page, WebRedirect, OAuthErrors.InvalidScope, "s");
    }

    [Fact]
    public async Task Consent_Denied_RedirectsAccessDeniedWithState()
    {
        await using var app = await StartAsync();

        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect, state: "deny-me"), decision: "deny");

        var answer = PageSession.Parameters(location);
        Assert.Equal(OAuthErrors.AccessDenied, answer["error"]);
        Assert.Equal("deny-me", answer["state"]);
        Assert.False(answer.ContainsKey("code"));
    }

    [Theory]
    [InlineData("a b&c=d/e?f#g")]
    [InlineData("é中文 %20+")]
    [InlineData("\"><script>alert(1)</script>")]
    public async Task State_WithCharactersNeedingEncoding_RoundTrips(string state)
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);

        var granted = await session.AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect, state: state));
        var refused = await session.GetAsync(AuthorizeUrl(WebId, WebRedirect, "admin", state));

        Assert.Equal(state, PageSession.Parameters(granted)["state"]);
        Assert.Empty(granted.Fragment);
        Assert.Equal(state, PageSession.Parameters(new Uri(refused.Location!))["state"]);
    }

    // ---- implicit (RFC 6749 §4.2; seeds 000 and 003) ----

    [Fact]
    public async Task Implicit_Seed000Request_TokenInFragmentWithoutRefreshToken()
    {
        await using var app = await StartAsync();

        // Seed 000: grant_type=implicit (ignored), no redirect_uri (the client has one).
        var location = await new PageSession(app.Client).AuthorizeAsync($"/oauth/authorize?grant_type=implicit&client_id={LegacyId}&response_type=token&scope=read");

        Assert.Equal(LegacyRedirect, location.GetLeftPart(UriPartial.Path));
        Assert.Empty(location.Query);
        var answer = PageSession.Parameters(location, fragment: true);
        Assert.Equal("Bearer", answer["token_type"]);
        Assert.Equal("3600", answer["expires_in"]);
        Assert.Equal("read", answer["scope"]);
        Assert.False(answer.ContainsKey("refresh_token"), "RFC 6749 §4.2.2: no refresh token.");
        Assert.False(answer.ContainsKey("state"));
        await AssertTokenWorksAsync(app, answer["access_token"]!);
    }

    [Fact]
    public async Task Implicit_Seed003RequestWithState_StateInFragment()
    {
        await using var app = await StartAsync();

        var location = await new PageSession(app.Client).AuthorizeAsync(
            $"/api-uaa/oauth/authorize?client_id={LegacyId}&redirect_uri={Uri.EscapeDataString(LegacyRedirect)}&response_type=token&scope=read&state=i");

        var answer = PageSession.Parameters(location, fragment: true);
        Assert.Equal("i", answer["state"]);
        await AssertTokenWorksAsync(app, answer["access_token"]!);
    }

    [Fact]
    public async Task Implicit_ClientNotListingIt_ErrorInFragment()
    {
        await using var app = await StartAsync();

        var page = await new PageSession(app.Client).GetAsync(AuthorizeUrl(WebId, WebRedirect, null, "s", ("response_type", "token")));

        Assert.Equal(HttpStatusCode.Found, page.Status);
        var location = new Uri(page.Location!);
        Assert.Empty(location.Query);
        var answer = PageSession.Parameters(location, fragment: true);
        Assert.Equal(OAuthErrors.UnauthorizedClient, answer["error"]);
        Assert.Equal("s", answer["state"]);
    }

    // ---- login ----

    [Fact]
    public async Task Login_WrongPasswordAndUnknownUser_SamePageSameStatusNoCookie()
    {
        var users = new TestUserStore();
        await using var app = await StartAsync(users: users);
        var url = AuthorizeUrl(WebId, WebRedirect);
        var unknownUser = new PageSession(app.Client);
        var wrongPassword = new PageSession(app.Client);

        // The same name typed: unknown the first time, known with another password the second.
        var unknown = await unknownUser.SubmitAsync(await unknownUser.GetAsync(url), ("username", "someone"), ("password", "guess"));
        users.Add(new TokenUser { Id = "9", UserName = "someone", PasswordHashes = [ClientSecretHasher.Hash("right", Iterations)] });
        var wrong = await wrongPassword.SubmitAsync(await wrongPassword.GetAsync(url), ("username", "someone"), ("password", "guess"));

        Assert.Equal(HttpStatusCode.OK, unknown.Status);
        Assert.Equal(unknown.Status, wrong.Status);
        Assert.Equal(unknown.Stable, wrong.Stable);
        Assert.Contains(HtmlEncoder.Default.Encode(UserAuthenticator.FailureMessage), unknown.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("guess", unknown.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(unknownUser.SetCookies.Concat(wrongPassword.SetCookies), c => c.Contains("TokenAuth.Login=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_MissingFields_AsksForThemWithoutCountingAFailure()
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);

        var page = await session.SubmitAsync(await session.GetAsync(AuthorizeUrl(WebId, WebRedirect)), ("username", TestUserStore.Alice));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Enter your user name and password.", page.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", true)]
    [InlineData("Staging", true)]
    [InlineData("Development", false)]
    public async Task LoginCookie_Flags_HttpOnlyLaxAndSecureOutsideDevelopment(string environment, bool secure)
    {
        await using var app = await StartAsync(environment: environment);
        var session = new PageSession(app.Client);

        await session.SignInAsync(AuthorizeUrl(WebId, WebRedirect));

        var cookie = Assert.Single(session.SetCookies, c => c.Contains("TokenAuth.Login=", StringComparison.Ordinal));
        var attributes = cookie.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.StartsWith(secure ? "__Host-TokenAuth.Login=" : "TokenAuth.Login=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.Contains("path=/", attributes);
        Assert.Contains("max-age=600", attributes);
        Assert.Equal(secure, attributes.Contains("secure"));
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoginCookie_AfterLoginLifetime_AsksToSignInAgain()
    {
        await using var app = await StartAsync(o => o.LoginLifetime = TimeSpan.FromMinutes(5));
        var session = new PageSession(app.Client);
        var url = AuthorizeUrl(WebId, WebRedirect);
        var consent = await session.SignInAsync(url);

        app.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Contains("Allow access?", (await session.GetAsync(url)).Html, StringComparison.Ordinal);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var expired = await session.GetAsync(url);
        // The browser still sends the cookie (a stolen one, or a clock ahead): the server refuses it all the same,
        // and a consent posted now grants nothing.
        var lateConsent = await session.SubmitAsync(consent, ("decision", "allow"));

        Assert.Contains("<h1>Sign in</h1>", expired.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, lateConsent.Status);
        Assert.Contains("<h1>Sign in</h1>", lateConsent.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task LoginCookie_ForgedValue_ShowsLoginPage(string value)
    {
        await using var app = await StartAsync(environment: "Development");
        using var request = new HttpRequestMessage(HttpMethod.Get, AuthorizeUrl(WebId, WebRedirect));
        request.Headers.Add("Cookie", "TokenAuth.Login=" + value);

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1>Sign in</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginCookie_UserRemovedFromStore_ShowsLoginPage()
    {
        var users = new TestUserStore();
        await using var app = await StartAsync(users: users);
        var session = new PageSession(app.Client);
        var url = AuthorizeUrl(WebId, WebRedirect);
        await session.SignInAsync(url);

        users.Remove(TestUserStore.Alice);

        Assert.Contains("<h1>Sign in</h1>", (await session.GetAsync(url)).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_RepeatedFailures_Throttled429WithRetryAfter()
    {
        await using var app = await StartAsync(o => o.FailedAuthentication = new FailedAuthenticationOptions { PermitLimit = 2, AddressPermitLimit = 2, MinimumDuration = TimeSpan.Zero });
        var session = new PageSession(app.Client);
        var page = await session.GetAsync(AuthorizeUrl(WebId, WebRedirect));

        for (var i = 0; i < 2; i++)
        {
            page = await session.SubmitAsync(page, ("username", TestUserStore.Alice), ("password", "wrong"));
            Assert.Equal(HttpStatusCode.OK, page.Status);
        }

        // Refused before the password is even checked: the right one does not get through either.
        page = await session.SubmitAsync(page, ("username", TestUserStore.Alice), ("password", TestUserStore.AlicePassword));

        Assert.Equal(HttpStatusCode.TooManyRequests, page.Status);
        Assert.True(int.Parse(page.Headers["Retry-After"], System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Contains("Too many failed sign-ins", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(session.SetCookies, c => c.Contains("TokenAuth.Login=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoginCookie_PathSlash_OneSignInServesEveryAuthorizeRoute()
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);
        await session.SignInAsync(AuthorizeUrl(WebId, WebRedirect));

        var page = await session.GetAsync($"/api-uaa/oauth/authorize?client_id={WebId}&response_type=code");

        Assert.Contains("Allow access?", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_WithGarbageAntiforgeryCookie_ShowsLoginPageWithANewOne()
    {
        await using var app = await StartAsync();
        var url = AuthorizeUrl(WebId, WebRedirect);
        var first = new PageSession(app.Client);
        await first.GetAsync(url);
        var name = first.Cookies.Keys.Single(k => k.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", name + "=garbage%%");

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(name + "=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoUserStore_PageSaysTheServerSignsInNoUsers()
    {
        await using var app = await TokenServerApp.StartAsync(Configure);

        var page = await new PageSession(app.Client).GetAsync(AuthorizeUrl(WebId, WebRedirect));

        AssertErrorPage(page, HttpStatusCode.NotImplemented, "signs in no users");
    }

    // ---- antiforgery and malformed posts: a page, never a 500 ----

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_400Page()
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);
        var url = AuthorizeUrl(WebId, WebRedirect);
        var login = await session.GetAsync(url);

        var withoutToken = await session.PostAsync(url, ("step", "login"), ("username", TestUserStore.Alice), ("password", TestUserStore.AlicePassword));
        var foreignToken = await new PageSession(app.Client).SubmitAsync(login, ("username", TestUserStore.Alice), ("password", TestUserStore.AlicePassword));

        AssertErrorPage(withoutToken, HttpStatusCode.BadRequest, "antiforgery");
        // The page's token without the antiforgery cookie it belongs with: a cross-site post.
        AssertErrorPage(foreignToken, HttpStatusCode.BadRequest, "antiforgery");
        Assert.DoesNotContain(session.SetCookies, c => c.Contains("TokenAuth.Login=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_ConsentWithoutAntiforgeryToken_400PageAndNoCode()
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);
        var url = AuthorizeUrl(WebId, WebRedirect);
        await session.SignInAsync(url);

        var page = await session.PostAsync(url, ("step", "consent"), ("decision", "allow"));

        AssertErrorPage(page, HttpStatusCode.BadRequest, "antiforgery");
    }

    [Theory]
    [InlineData("text/plain", "step=login", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/json", "{\"step\":\"login\"}", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("multipart/form-data; boundary=x", "--x--", HttpStatusCode.UnsupportedMediaType)]
    [InlineData(null, "", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/x-www-form-urlencoded", "step=%FF%FE", HttpStatusCode.BadRequest)]
    [InlineData("application/x-www-form-urlencoded", "big", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("application/x-www-form-urlencoded", "", HttpStatusCode.BadRequest)]
    public async Task Post_MalformedBody_ErrorPageNever500(string? contentType, string body, HttpStatusCode expected)
    {
        await using var app = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, AuthorizeUrl(WebId, WebRedirect));
        var bytes = body == "big" ? Encoding.ASCII.GetBytes("step=" + new string('a', 17 * 1024)) : Encoding.ASCII.GetBytes(body);
        if (body == "step=%FF%FE")
        {
            bytes = [.. "step="u8.ToArray(), 0xFF, 0xFE];
        }

        request.Content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Post_RepeatedFormFields_TreatedAsMissing()
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);
        var login = await session.GetAsync(AuthorizeUrl(WebId, WebRedirect));

        var page = await session.SubmitAsync(login, ("username", TestUserStore.Alice), ("username", "bob"), ("password", TestUserStore.AlicePassword));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Enter your user name and password.", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_UnknownStep_400Page()
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);
        var consent = await session.SignInAsync(AuthorizeUrl(WebId, WebRedirect));

        var page = await session.SubmitAsync(consent, ("decision", "maybe"));

        AssertErrorPage(page, HttpStatusCode.BadRequest, "incomplete");
    }

    // ---- the pages ----

    [Fact]
    public async Task Pages_CarrySecurityHeaders()
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);
        var url = AuthorizeUrl(WebId, WebRedirect);

        var login = await session.GetAsync(url);
        var consent = await session.SignInAsync(url);
        var error = await session.GetAsync(AuthorizeUrl("nobody", WebRedirect));
        var redirect = await session.SubmitAsync(consent, ("decision", "allow"));

        foreach (var page in new[] { login, consent, error, redirect })
        {
            Assert.Equal("no-store", page.Headers["Cache-Control"]);
            Assert.Equal("DENY", page.Headers["X-Frame-Options"]);
            Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'", page.Headers["Content-Security-Policy"]);
            Assert.Equal("no-referrer", page.Headers["Referrer-Policy"]);
            Assert.Equal("nosniff", page.Headers["X-Content-Type-Options"]);
        }

        Assert.Equal("text/html; charset=utf-8", login.Headers["Content-Type"]);
        Assert.Contains("<form method=\"post\" action=\"" + url.Replace("&", "&amp;", StringComparison.Ordinal) + "\">", login.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsentPage_ListsClientScopesAndUser()
    {
        await using var app = await StartAsync();

        var consent = await new PageSession(app.Client).SignInAsync(AuthorizeUrl(WebId, WebRedirect, "write read"));

        Assert.Contains("<strong id=\"client\">Web app</strong>", consent.Html, StringComparison.Ordinal);
        Assert.Contains("<li><code>write</code></li><li><code>read</code></li>", consent.Html, StringComparison.Ordinal);
        Assert.Contains("<span id=\"user\">Alice (alice)</span>", consent.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_EncodeClientNameScopeAndQuery()
    {
        const string script = "<script>alert(1)</script>";
        await using var app = await StartAsync(o =>
        {
            var web = o.Clients.Single(c => c.ClientId == WebId);
            web.DisplayName = script;
            web.AllowedScopes = [.. web.AllowedScopes, script];
        });
        var session = new PageSession(app.Client);
        var url = AuthorizeUrl(WebId, WebRedirect, scope: script, state: "\"><script>x</script>");

        var login = await session.GetAsync(url);
        var consent = await session.SignInAsync(url);

        foreach (var page in new[] { login, consent })
        {
            Assert.DoesNotContain("<script", page.Html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page.Html, StringComparison.Ordinal);
        }

        var location = PageSession.Parameters(new Uri((await session.SubmitAsync(consent, ("decision", "allow"))).Location!));
        Assert.Equal("\"><script>x</script>", location["state"]);
    }

    [Fact]
    public async Task Pages_RawQuoteInQuery_EncodedInFormAction()
    {
        await using var app = await StartAsync();
        var server = (Microsoft.AspNetCore.TestHost.TestServer)app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
        var context = await server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/oauth/authorize";
            c.Request.QueryString = new QueryString($"?client_id={WebId}&response_type=code&state=\"><script>1</script>");
        });

        var html = await new StreamReader(context.Response.Body).ReadToEndAsync();

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Contains("state=&quot;&gt;&lt;script&gt;1&lt;/script&gt;", html, StringComparison.Ordinal);
    }

    // ---- faults and logs ----

    [Fact]
    public async Task Consent_ShownToAliceThenBobSignsInElsewhere_AsksBobInsteadOfGrantingForHim()
    {
        await using var app = await StartAsync();
        var session = new PageSession(app.Client);
        var url = AuthorizeUrl(WebId, WebRedirect);
        var aliceConsent = await session.SignInAsync(url);
        // Another tab of the same browser signs in as bob: the sign-in cookie is now his.
        var otherTab = new PageSession(app.Client);
        await otherTab.SignInAsync(url, "bob", "bob-password");
        var login = otherTab.Cookies.Single(c => c.Key.EndsWith("TokenAuth.Login", StringComparison.Ordinal));
        session.SetCookie(login.Key, login.Value);

        var answer = await session.SubmitAsync(aliceConsent, ("decision", "allow"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Null(answer.Location);
        Assert.Contains("Signed in as <span id=\"user\">Bob (bob)</span>", answer.Html, StringComparison.Ordinal);
        var location = new Uri((await session.SubmitAsync(answer, ("decision", "allow"))).Location!);
        Assert.True(PageSession.Parameters(location).ContainsKey("code"));
    }

    [Fact]
    public async Task ClientOrUserStoreDown_503PageAndToken503_NeverA500()
    {
        var clients = new Mock<IClientStore>();
        clients.Setup(c => c.FindByIdAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("database down"));
        await using var app = await StartAsync(services: s => s.AddSingleton(clients.Object));

        var page = await new PageSession(app.Client).GetAsync(AuthorizeUrl(WebId, WebRedirect));
        using var token = await app.Client.SendAsync(ClientCredentials());

        AssertErrorPage(page, HttpStatusCode.ServiceUnavailable, "temporarily unavailable");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, token.StatusCode);
        Assert.NotNull(token.Headers.RetryAfter);
        Assert.Equal(OAuthErrors.TemporarilyUnavailable, (await ReadJsonAsync(token)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Consent_GrantStoreDown_503PageWithRetryAfter()
    {
        var grants = new Mock<IGrantStore>();
        grants.Setup(g => g.SaveAsync(It.IsAny<TokenHash>(), It.IsAny<GrantRecord>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException("redis timeout"));
        await using var app = await StartAsync(services: s => s.AddSingleton(grants.Object));
        var session = new PageSession(app.Client);
        var consent = await session.SignInAsync(AuthorizeUrl(WebId, WebRedirect));

        var page = await session.SubmitAsync(consent, ("decision", "allow"));

        AssertErrorPage(page, HttpStatusCode.ServiceUnavailable, "temporarily unavailable");
        Assert.Equal("5", page.Headers["Retry-After"]);
        Assert.Null(page.Location);
    }

    [Fact]
    public async Task Logs_NameCodeAndTokenIssuanceWithoutSecrets()
    {
        await using var app = await StartAsync();
        var location = await new PageSession(app.Client).AuthorizeAsync(AuthorizeUrl(WebId, WebRedirect));
        var code = PageSession.Parameters(location)["code"].ToString();
        var (_, json) = await ExchangeAsync(app, code, WebId, WebSecret, WebRedirect);
        var implicitLocation = await new PageSession(app.Client).AuthorizeAsync($"/oauth/authorize?client_id={LegacyId}&response_type=token");
        var implicitToken = PageSession.Parameters(implicitLocation, fragment: true)["access_token"].ToString();
        await new PageSession(app.Client).GetAsync(AuthorizeUrl(WebId, WebRedirect, "admin"));

        var logs = app.Logs.TextOutsideHostingRequestLines;
        Assert.Contains("CodeIssued", logs, StringComparison.Ordinal);
        Assert.Contains("ImplicitTokenIssued", logs, StringComparison.Ordinal);
        Assert.Contains("UserSignedIn", logs, StringComparison.Ordinal);
        Assert.Contains("AuthorizationRefused", logs, StringComparison.Ordinal);
        Assert.Contains(TokenHash.Compute(implicitToken).Prefix, logs, StringComparison.Ordinal);
        foreach (var secret in new[] { code, implicitToken, json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!, TestUserStore.AlicePassword, WebSecret })
        {
            Assert.DoesNotContain(secret, app.Logs.AllText, StringComparison.Ordinal);
        }
    }

    // ---- helpers ----

    private static Task<TestApp> StartAsync(Action<TokenServerOptions>? server = null, TestUserStore? users = null, string? environment = null, Action<IServiceCollection>? services = null)
        => TokenServerApp.StartAsync(
            o =>
            {
                Configure(o);
                server?.Invoke(o);
            },
            services: services,
            users: users ?? new TestUserStore(),
            environment: environment);

    private static void Configure(TokenServerOptions o)
    {
        o.Profiles.Add(TokenServerProfiles.ResultEnvelopeToken("/api-uaa/oauth/token"));
        o.Profiles.Add(TokenServerProfiles.Authorize("/api-uaa/oauth/authorize", "uaa-authorize"));
        var web = WebClient(WebId, WebSecret, WebRedirect);
        web.RequirePkce = false;
        o.Clients.Add(web);
        o.Clients.Add(WebClient("pkce-web", "pkce-secret", WebRedirect));
        o.Clients.Add(new TokenClient
        {
            ClientId = SpaId,
            IsPublic = true,
            DisplayName = "Single-page app",
            AllowedGrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            AllowedScopes = ["read"],
            RedirectUris = [SpaRedirect],
        });
        o.Clients.Add(new TokenClient
        {
            ClientId = LegacyId,
            ClientSecretHashes = [ClientSecretHasher.Hash("legacy-secret", Iterations)],
            DisplayName = "Legacy app",
            AllowedGrantTypes = [GrantTypes.Implicit],
            AllowedScopes = ["read"],
            RedirectUris = [LegacyRedirect],
        });
    }

    private static TokenClient WebClient(string id, string secret, string redirectUri)
    {
        var client = Client(id, secret, ["read", "write"], GrantTypes.AuthorizationCode, GrantTypes.RefreshToken);
        client.DisplayName = "Web app";
        client.RedirectUris = [redirectUri];
        return client;
    }

    /// <summary>An authorization request at <c>/oauth/authorize</c>; <c>response_type=code</c> unless <paramref name="extra"/> names another.</summary>
    private static string AuthorizeUrl(string clientId, string? redirectUri, string? scope = null, string? state = null, params (string Name, string Value)[] extra)
    {
        var parameters = new List<KeyValuePair<string, string?>> { new("client_id", clientId) };
        if (!extra.Any(e => e.Name == "response_type"))
        {
            parameters.Add(new("response_type", "code"));
        }

        if (redirectUri is not null)
        {
            parameters.Add(new("redirect_uri", redirectUri));
        }

        if (scope is not null)
        {
            parameters.Add(new("scope", scope));
        }

        if (state is not null)
        {
            parameters.Add(new("state", state));
        }

        parameters.AddRange(extra.Select(e => new KeyValuePair<string, string?>(e.Name, e.Value)));
        return "/oauth/authorize" + QueryString.Create(parameters);
    }

    /// <summary><paramref name="length"/> characters cycling through every class of RFC 7636's unreserved set.</summary>
    private static string Unreserved(int length)
        => string.Concat(Enumerable.Range(0, length).Select(i => "Az09-._~"[i % 8]));

    private static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>RFC 6749 §4.1.3 at <c>/oauth/token</c>: the client's id and secret in the form (id alone for a public client).</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Json)> ExchangeAsync(TestApp app, string code, string clientId, string? secret, string? redirectUri, string? verifier = null)
    {
        var fields = new List<(string, string)> { ("grant_type", "authorization_code"), ("code", code), ("client_id", clientId) };
        if (secret is not null)
        {
            fields.Add(("client_secret", secret));
        }

        if (redirectUri is not null)
        {
            fields.Add(("redirect_uri", redirectUri));
        }

        if (verifier is not null)
        {
            fields.Add(("code_verifier", verifier));
        }

        using var request = TokenRequest([.. fields]);
        using var response = await app.Client.SendAsync(request);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    private static async Task AssertTokenWorksAsync(TestApp app, string token)
    {
        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestUserStore.AliceId, (await ReadJsonAsync(response)).GetProperty("sub").GetString());
    }

    private static void AssertRedirectError(PageSession.Page page, string redirectUri, string error, string? state)
    {
        Assert.True(page.Status == HttpStatusCode.Found, $"expected a redirect, got {(int)page.Status}: {page.Html}");
        var location = new Uri(page.Location!);
        Assert.Equal(redirectUri, location.GetLeftPart(UriPartial.Path));
        var answer = PageSession.Parameters(location);
        Assert.Equal(error, answer["error"]);
        Assert.Equal(state, answer.TryGetValue("state", out var s) ? s.ToString() : null);
        // RFC 6749 §4.1.2.1: error_description is printable ASCII without '"' and '\'.
        Assert.All(answer["error_description"].ToString(), c => Assert.True(c is >= ' ' and <= '~' && c is not '"' and not '\\', $"'{c}' in error_description"));
    }

    private static void AssertErrorPage(PageSession.Page page, HttpStatusCode status, string text)
    {
        Assert.True(page.Status == status, $"expected {(int)status}, got {(int)page.Status}: {page.Html}");
        Assert.Null(page.Location);
        Assert.Equal("text/html; charset=utf-8", page.Headers["Content-Type"]);
        Assert.Contains(text, page.Html, StringComparison.Ordinal);
    }
}
