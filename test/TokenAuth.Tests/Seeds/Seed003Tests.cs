using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Server;

namespace TokenAuth.Tests.Seeds;

/// <summary>
/// Seed 003: <c>POST /api-uaa/oauth/token?grant_type=…</c> — the parameters in the query string, no body — with
/// <c>Authorization: Basic base64(clientId:clientSecret)</c>, answering <c>{"resp_code":200,"resp_msg":"ok","datas":{…}}</c>
/// (the code exchange answers plain RFC 6749 JSON); tokens live 3599 s and go in <c>Authorization: Bearer</c>.
/// </summary>
public sealed class Seed003Tests(SampleFactory factory) : IClassFixture<SampleFactory>
{
    private const string Path = "/api-uaa/oauth/token";
    private const string RedirectUri = "http://127.0.0.1:8080/callback";

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Token_DocumentedPasswordGrant_AnswersEnvelopeEchoingAccountType()
    {
        var json = await OkAsync(Query("grant_type=password&username=alice&password=alice-password&account_type=admin"));

        var datas = json.GetProperty("datas");
        Seed.AssertMembers(datas,
            ("access_token", JsonValueKind.String), ("token_type", JsonValueKind.String), ("refresh_token", JsonValueKind.String),
            ("expires_in", JsonValueKind.Number), ("scope", JsonValueKind.String), ("account_type", JsonValueKind.String));
        Assert.Equal("bearer", datas.GetProperty("token_type").GetString());
        Assert.Equal(3599, datas.GetProperty("expires_in").GetInt32());
        Assert.Equal("read write", datas.GetProperty("scope").GetString());
        Assert.Equal("admin", datas.GetProperty("account_type").GetString());
    }

    [Fact]
    public async Task Me_BearerTokenOfPasswordGrant_IsTheUser()
    {
        var datas = (await OkAsync(Query("grant_type=password&username=alice&password=alice-password"))).GetProperty("datas");
        Assert.False(datas.TryGetProperty("account_type", out _));

        var me = await Seed.MeAsync(_client, datas.GetProperty("access_token").GetString()!);

        Assert.Equal("1001", me.GetProperty("subject").GetString());
        Assert.Equal("Alice", me.GetProperty("name").GetString());
        Assert.Equal("demo-client", me.GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task Token_DocumentedClientCredentials_AnswersEnvelopeWithRefreshToken()
    {
        var datas = (await OkAsync(Query("grant_type=client_credentials"))).GetProperty("datas");

        Seed.AssertMembers(datas,
            ("access_token", JsonValueKind.String), ("token_type", JsonValueKind.String), ("refresh_token", JsonValueKind.String),
            ("expires_in", JsonValueKind.Number), ("scope", JsonValueKind.String));
        Assert.Equal("bearer", datas.GetProperty("token_type").GetString());
        Assert.Equal(3599, datas.GetProperty("expires_in").GetInt32());
        var me = await Seed.MeAsync(_client, datas.GetProperty("access_token").GetString()!);
        Assert.Equal("demo-client", me.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Token_3599SecondsLater_IsRefused()
    {
        var token = (await OkAsync(Query("grant_type=client_credentials"))).GetProperty("datas").GetProperty("access_token").GetString()!;

        await factory.AssertLifetimeAsync(TimeSpan.FromSeconds(3599), () => Seed.MeStatusAsync(_client, token));
    }

    [Fact]
    public async Task Token_FormBodyInsteadOfQuery_AnswersTheSameEnvelope()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = Seed.Form(("grant_type", "client_credentials")) };
        request.Headers.Authorization = Seed.Basic(Seed.AdminClient, Seed.AdminSecret);

        var datas = (await EnvelopeAsync(request, HttpStatusCode.OK)).GetProperty("datas");

        Assert.Equal("read write sudo", datas.GetProperty("scope").GetString());
        Assert.False(datas.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Token_RefreshTokenOfPasswordGrant_AnswersNewEnvelopeForTheUser()
    {
        var refreshToken = (await OkAsync(Query("grant_type=password&username=alice&password=alice-password"))).GetProperty("datas").GetProperty("refresh_token").GetString()!;

        var datas = (await OkAsync(Query("grant_type=refresh_token&refresh_token=" + refreshToken))).GetProperty("datas");

        Assert.Equal(3599, datas.GetProperty("expires_in").GetInt32());
        var me = await Seed.MeAsync(_client, datas.GetProperty("access_token").GetString()!);
        Assert.Equal("1001", me.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Token_DocumentedCodeExchange_AnswersPlainJsonNotTheEnvelope()
    {
        // The authorize page is another slice's; the code is minted as it would, for demo-client, Alice and the redirect URI.
        var code = await IssueCodeAsync();

        var json = await Seed.SendJsonAsync(_client, Query($"code={code}&grant_type=authorization_code&redirect_uri={RedirectUri}&scope=read"), HttpStatusCode.OK);

        Seed.AssertMembers(json,
            ("access_token", JsonValueKind.String), ("token_type", JsonValueKind.String), ("refresh_token", JsonValueKind.String),
            ("expires_in", JsonValueKind.Number), ("scope", JsonValueKind.String));
        Assert.Equal("bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3599, json.GetProperty("expires_in").GetInt32());
        var me = await Seed.MeAsync(_client, json.GetProperty("access_token").GetString()!);
        Assert.Equal("1001", me.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Token_CodeUsedTwice_AnswersPlainInvalidGrantAndRevokesWhatItIssued()
    {
        var code = await IssueCodeAsync();
        var first = await Seed.SendJsonAsync(_client, Query($"code={code}&grant_type=authorization_code&redirect_uri={RedirectUri}"), HttpStatusCode.OK);

        var second = await Seed.SendJsonAsync(_client, Query($"code={code}&grant_type=authorization_code&redirect_uri={RedirectUri}"), HttpStatusCode.BadRequest);

        Seed.AssertOAuthError(second, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, await Seed.MeStatusAsync(_client, first.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Token_CodeWithAnotherRedirectUri_AnswersPlainInvalidGrant()
    {
        var code = await IssueCodeAsync();

        var json = await Seed.SendJsonAsync(_client, Query($"code={code}&grant_type=authorization_code&redirect_uri=http://127.0.0.1:8080/other"), HttpStatusCode.BadRequest);

        Seed.AssertOAuthError(json, "invalid_grant");
    }

    [Fact]
    public async Task Token_WrongPassword_AnswersEnvelopeInvalidGrant400()
    {
        var json = await EnvelopeAsync(Query("grant_type=password&username=alice&password=wrong"), HttpStatusCode.BadRequest);

        Assert.Equal("invalid_grant", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Token_WrongClientSecret_AnswersEnvelope401WithBasicChallenge()
    {
        using var response = await _client.SendAsync(Query("grant_type=client_credentials", secret: "wrong"));

        var json = await EnvelopeAsync(response, HttpStatusCode.Unauthorized);

        Assert.Equal("invalid_client", json.GetProperty("error").GetString());
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [InlineData("grant_type=client_credentials")]
    [InlineData("grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret")]
    public async Task Token_WithoutBasic_AnswersEnvelope401WithBasicChallenge(string query)
    {
        using var response = await _client.PostAsync(new Uri(Path + "?" + query, UriKind.Relative), content: null);

        var json = await EnvelopeAsync(response, HttpStatusCode.Unauthorized);

        Assert.Equal("invalid_client", json.GetProperty("error").GetString());
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [InlineData("", 400, "invalid_request")]
    [InlineData("grant_type=magic", 400, "unsupported_grant_type")]
    [InlineData("grant_type=client_credentials&grant_type=client_credentials", 400, "invalid_request")]
    [InlineData("grant_type=password&username=alice", 400, "invalid_request")]
    [InlineData("grant_type=password&username=alice&password=alice-password&account_type=a%20b", 400, "invalid_request")]
    [InlineData("grant_type=client_credentials&scope=sudo", 400, "invalid_scope")]
    [InlineData("grant_type=refresh_token", 400, "invalid_request")]
    [InlineData("grant_type=refresh_token&refresh_token=nope", 400, "invalid_grant")]
    [InlineData("grant_type=client_credentials&client_id=admin-client", 401, "invalid_client")]
    public async Task Token_BadQuery_AnswersEnvelopeErrorWithRealStatus(string query, int status, string error)
    {
        var json = await EnvelopeAsync(Query(query), (HttpStatusCode)status);

        Assert.Equal(error, json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("Basic !!!")]
    [InlineData("Basic ZGVtby1jbGllbnQ=")]
    public async Task Token_MalformedBasic_AnswersEnvelope401(string authorization)
    {
        var request = Seed.Request(HttpMethod.Post, Path + "?grant_type=client_credentials", ("Authorization", authorization));

        var json = await EnvelopeAsync(request, HttpStatusCode.Unauthorized);

        Assert.Equal("invalid_client", json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("application/json", """{"grant_type":"client_credentials"}""", 400)]
    [InlineData("text/plain", "grant_type=client_credentials", 400)]
    [InlineData("multipart/form-data; boundary=x", "--x--", 400)]
    [InlineData("application/x-www-form-urlencoded", "grant_type=client_credentials", 400)]
    public async Task Token_BodyOfAnotherTypeOrRepeatingTheQuery_AnswersEnvelope400(string contentType, string body, int status)
    {
        var request = Query("grant_type=client_credentials");
        request.Content = new StringContent(body);
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        var json = await EnvelopeAsync(request, (HttpStatusCode)status);

        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Token_FormBodyOver16KiB_AnswersEnvelope413()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = Seed.OversizedForm() };
        request.Headers.Authorization = Seed.Basic(Seed.DemoClient, Seed.DemoSecret);

        var json = await EnvelopeAsync(request, HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    /// <summary>A POST with the parameters in the URL, no body, and demo-client's Basic header — the document's request.</summary>
    private static HttpRequestMessage Query(string query, string clientId = Seed.DemoClient, string secret = Seed.DemoSecret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path + "?" + query);
        request.Headers.Authorization = Seed.Basic(clientId, secret);
        return request;
    }

    private async Task<JsonElement> OkAsync(HttpRequestMessage request)
    {
        var json = await EnvelopeAsync(request, HttpStatusCode.OK);
        Assert.Equal(43, json.GetProperty("datas").GetProperty("access_token").GetString()!.Length);
        return json;
    }

    private async Task<JsonElement> EnvelopeAsync(HttpRequestMessage request, HttpStatusCode status)
    {
        using (request)
        {
            using var response = await _client.SendAsync(request);
            return await EnvelopeAsync(response, status);
        }
    }

    /// <summary>
    /// The envelope: <c>resp_code</c> (a number, the HTTP status), <c>resp_msg</c>, <c>datas</c> — an object on success;
    /// on an error <c>null</c>, with the RFC 6749 code in <c>error</c>.
    /// </summary>
    private static async Task<JsonElement> EnvelopeAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var json = await Seed.JsonAsync(response, status);
        var success = status == HttpStatusCode.OK;
        if (success)
        {
            Seed.AssertMembers(json, ("resp_code", JsonValueKind.Number), ("resp_msg", JsonValueKind.String), ("datas", JsonValueKind.Object));
            Assert.Equal("ok", json.GetProperty("resp_msg").GetString());
        }
        else
        {
            Seed.AssertMembers(json, ("resp_code", JsonValueKind.Number), ("resp_msg", JsonValueKind.String), ("error", JsonValueKind.String), ("datas", JsonValueKind.Null));
            Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("resp_msg").GetString()));
        }

        Assert.Equal((int)status, json.GetProperty("resp_code").GetInt32());
        return json;
    }

    private async Task<string> IssueCodeAsync()
    {
        var issuer = factory.Services.GetRequiredService<TokenIssuer>();
        var alice = new TokenInfo { Subject = "1001", Name = "Alice", ClientId = Seed.DemoClient, Scopes = ["read"] };
        return await issuer.IssueCodeAsync(issuer.NewCode(alice, RedirectUri, challenge: null, challengeMethod: null), CancellationToken.None);
    }
}
