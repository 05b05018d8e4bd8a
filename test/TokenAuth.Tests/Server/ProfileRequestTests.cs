using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Server.TokenServerApp;

namespace TokenAuth.Tests.Server;

/// <summary>How profiles read requests: query, form and JSON parameters, renamed parameters, and the bad inputs each refuses.</summary>
public sealed class ProfileRequestTests
{
    private static Task<TestApp> StartAsync(Action<TokenServerOptions>? server = null) => TokenServerApp.StartAsync(o =>
    {
        o.Profiles.Add(TokenServerProfiles.CamelCaseJsonToken("/json/token"));
        o.Profiles.Add(TokenServerProfiles.ResultEnvelopeToken("/uaa/token"));
        o.Profiles.Add(TokenServerProfiles.QueryStringToken("/query/token"));
        server?.Invoke(o);
    });

    private static HttpRequestMessage Json(string body, string contentType = "application/json") => new(HttpMethod.Post, "/json/token")
    {
        Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType)),
    };

    private static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal(error, json.GetProperty("error").GetString());
        return json;
    }

    [Fact]
    public async Task Json_CamelCaseMembers_IssueACamelCaseAnswer()
    {
        await using var app = await StartAsync();

        using var response = await app.Client.SendAsync(Json($$$"""{"clientId":"{{{ClientId}}}","clientSecret":"{{{ClientSecret}}}","grantType":"client_credentials","unknown":{"deep":[1,2]}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal(JsonValueKind.String, json.GetProperty("accessToken").ValueKind);
        Assert.Equal("bearer", json.GetProperty("tokenType").GetString());
        Assert.Equal("3600", json.GetProperty("expiresIn").GetString());
        Assert.Equal("read write", json.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("""{"clientId":"c1","clientSecret":"s1","grantType":true}""", "must be a string or a number")]
    [InlineData("""{"clientId":"c1","clientSecret":"s1","grantType":{"x":1}}""", "must be a string or a number")]
    [InlineData("""{"clientId":"c1","clientSecret":"s1","grantType":["client_credentials"]}""", "must be a string or a number")]
    [InlineData("""{"clientId":"c1","clientId":"c1","clientSecret":"s1","grantType":"client_credentials"}""", "more than once")]
    [InlineData("""{"clientId":"c1","ClientId":"c1","clientSecret":"s1","grantType":"client_credentials"}""", "more than once")]
    [InlineData("""["clientId"]""", "must be a JSON object")]
    [InlineData("""{"clientId":"c1",""", "not valid JSON")]
    [InlineData("""{"clientId":"c1"} trailing""", "not valid JSON")]
    [InlineData("clientId=c1", "not valid JSON")]
    public async Task Json_Malformed_InvalidRequestNamingTheProblem(string body, string problem)
    {
        await using var app = await StartAsync();

        var json = await AssertErrorAsync(await app.Client.SendAsync(Json(body)), HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);

        Assert.Contains(problem, json.GetProperty("errorDescription").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_NullAndEmptyMembers_CountAsAbsent_SnakeCaseNamesAreNotRead()
    {
        await using var app = await StartAsync();

        var json = await AssertErrorAsync(
            await app.Client.SendAsync(Json($$"""{"client_id":"{{ClientId}}","client_secret":"{{ClientSecret}}","clientId":null,"clientSecret":"","grantType":"client_credentials"}""")),
            HttpStatusCode.Unauthorized,
            OAuthErrors.InvalidClient);

        Assert.Contains("clientId and clientSecret", json.GetProperty("errorDescription").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "clientId=c1")]
    [InlineData("text/plain", "{}")]
    [InlineData("application/json; charset=iso-8859-1", "{}")]
    public async Task Json_WrongContentTypeOrCharset_InvalidRequest(string contentType, string body)
    {
        await using var app = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/json/token") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        await AssertErrorAsync(await app.Client.SendAsync(request), HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
    }

    [Fact]
    public async Task Bodies_NotUtf8_InvalidRequest_OverTheBound_413()
    {
        await using var app = await StartAsync();
        using var latin1 = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new ByteArrayContent([.. "grant_type=client_credentials&client_id=c1&client_secret=s"u8, 0xE9]) };
        latin1.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var large = Json("{\"clientId\":\"" + new string('a', 17 * 1024) + "\"}");

        var notUtf8 = await AssertErrorAsync(await app.Client.SendAsync(latin1), HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
        await AssertErrorAsync(await app.Client.SendAsync(large), HttpStatusCode.RequestEntityTooLarge, OAuthErrors.InvalidRequest);

        Assert.Contains("UTF-8", notUtf8.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAndForm_TheSameParameterInBoth_InvalidRequest()
    {
        await using var app = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uaa/token?grant_type=client_credentials")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = Basic(ClientId, ClientSecret);

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal(400, json.GetProperty("resp_code").GetInt32());
        Assert.Equal(OAuthErrors.InvalidRequest, json.GetProperty("error").GetString());
        Assert.Contains("more than once", json.GetProperty("resp_msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("datas").ValueKind);
    }

    [Fact]
    public async Task Form_AParameterBehindDoubleAmpersand_IsAParameter_GivenTwiceIsInvalidRequest()
    {
        // The form is read as ASP.NET Core's own parser reads it: "&&grant_type=…" is grant_type, not a field "&grant_type".
        await using var app = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/uaa/token")
        {
            Content = new StringContent("grant_type=client_credentials&&grant_type=password", Encoding.UTF8, new MediaTypeHeaderValue("application/x-www-form-urlencoded")),
        };
        request.Headers.Authorization = Basic(ClientId, ClientSecret);

        using var response = await app.Client.SendAsync(request);

        var json = await AssertErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);
        Assert.Contains("'grant_type' is given more than once", json.GetProperty("resp_msg").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/uaa/token?grant_type=client_credentials&GRANT_TYPE=client_credentials")]
    [InlineData("/uaa/token?grant_type=client_credentials&grant_type=client_credentials")]
    public async Task Query_DuplicateKeysInAnyCase_InvalidRequest(string url)
    {
        await using var app = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Authorization = Basic(ClientId, ClientSecret);

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(OAuthErrors.InvalidRequest, (await ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task QueryOnlyGet_BodyIsIgnored_AndTheRfcProfileIgnoresTheQuery()
    {
        await using var app = await StartAsync();
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/query/token?grant_type=client_credentials&client_id={ClientId}&client_secret={ClientSecret}")
        {
            Content = new StringContent("{ not json", Encoding.UTF8, "application/json"),
        };
        using var rfc = new HttpRequestMessage(HttpMethod.Post, $"/oauth/token?grant_type=client_credentials&client_id={ClientId}&client_secret={ClientSecret}")
        {
            Content = new FormUrlEncodedContent([]),
        };

        using var getResponse = await app.Client.SendAsync(get);
        using var rfcResponse = await app.Client.SendAsync(rfc);

        Assert.Equal(HttpStatusCode.OK, getResponse.StatusCode);
        Assert.Equal("43200", (await ReadJsonAsync(getResponse)).GetProperty("expires_in").GetString());
        // RFC 6749 §3.2: the token endpoint reads the body; a secret in the URL is not looked at.
        await AssertErrorAsync(rfcResponse, HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient);
    }

    [Fact]
    public async Task RfcProfile_NoBody_InvalidRequestNamingTheFormat()
    {
        await using var app = await StartAsync();

        var json = await AssertErrorAsync(await app.Client.PostAsync("/oauth/token", null), HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest);

        Assert.Contains("application/x-www-form-urlencoded", json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfileGrantTypes_LimitTheEndpoint()
    {
        await using var app = await StartAsync(o => o.Clients.Add(Client("r", "r-secret", ["read"], GrantTypes.ClientCredentials, GrantTypes.RefreshToken)));

        using var response = await app.Client.GetAsync("/query/token?grant_type=refresh_token&refresh_token=x&client_id=r&client_secret=r-secret");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, OAuthErrors.UnsupportedGrantType);
    }

    [Fact]
    public async Task BasicCredentials_RawOnTheSpringProfile_FormEncodedOnTheRfcOne()
    {
        const string secret = "a+b%2Fc";
        await using var app = await StartAsync(o => o.Clients.Add(Client("plus", secret, ["read"])));
        var raw = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("plus:" + secret)));

        using var spring = new HttpRequestMessage(HttpMethod.Post, "/uaa/token?grant_type=client_credentials") { Headers = { Authorization = raw } };
        using var rfcRaw = TokenRequest(("grant_type", "client_credentials"));
        rfcRaw.Headers.Authorization = raw;
        using var rfcEncoded = TokenRequest(("grant_type", "client_credentials"));
        rfcEncoded.Headers.Authorization = Basic("plus", secret);

        // Seed 003 (Spring Security OAuth2) sends base64(id:secret) as is; RFC 6749 §2.3.1 form-encodes both first.
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(spring)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(rfcRaw)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(rfcEncoded)).StatusCode);
    }

    [Fact]
    public async Task ServerEndpoints_AreNotSearchedForABearerToken()
    {
        await using var app = await StartAsync();
        using var request = ClientCredentials();
        // A token in a header and another in the form would be 400 invalid_request on an API endpoint; here they are the client's business.
        request.Headers.Add("Access-Token", "not-a-token");
        using var form = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", ClientId), new("client_secret", ClientSecret), new("access_token", "other")]),
        };
        form.Headers.Add("Access-Token", "not-a-token");

        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(form)).StatusCode);
        // The handler read nothing: no "no token", no "refused", no "two tokens" line — and a control request to an
        // API endpoint shows that those lines would be there.
        string[] handlerEvents = ["TokenNotFound", "TokenRefused", "InvalidRequest"];
        Assert.DoesNotContain(app.Logs.Entries, e => handlerEvents.Contains(e.EventId.Name));
        using var control = new HttpRequestMessage(HttpMethod.Get, "/anonymous");
        control.Headers.Add("Access-Token", "not-a-token");
        await app.Client.SendAsync(control);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "TokenRefused");
    }
}
