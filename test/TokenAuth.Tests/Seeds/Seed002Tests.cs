using System.Net;
using System.Text.Json;

namespace TokenAuth.Tests.Seeds;

/// <summary>
/// Seed 002: <c>POST /oauth2/token/</c> (trailing slash) with a <c>Content-Type: application/json</c> body —
/// <c>clientId</c>, <c>clientSecret</c>, <c>grantType</c>, <c>userId</c> (a JSON number), <c>refreshToken</c> — answering
/// camelCase strings (<c>expiresIn</c> too); the token goes in <c>Authorization: Bearer</c>.
/// </summary>
public sealed class Seed002Tests(SampleFactory factory) : IClassFixture<SampleFactory>
{
    private const string Path = "/oauth2/token/";
    private const string Credentials = """ "clientId":"demo-client","clientSecret":"demo-secret" """;

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Token_DocumentedClientCredentialsWithNumericUserId_AnswersCamelCaseStrings()
    {
        var json = await TokenAsync($$"""{{{Credentials}},"grantType":"client_credentials","userId":1001}""");

        Seed.AssertMembers(json,
            ("accessToken", JsonValueKind.String), ("refreshToken", JsonValueKind.String), ("scope", JsonValueKind.String),
            ("expiresIn", JsonValueKind.String), ("tokenType", JsonValueKind.String));
        Assert.Equal("bearer", json.GetProperty("tokenType").GetString());
        Assert.Equal("3600", json.GetProperty("expiresIn").GetString());
        Assert.Equal("read write", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Me_BearerTokenOfUserId_IsTheUser()
    {
        var token = (await TokenAsync($$"""{{{Credentials}},"grantType":"client_credentials","userId":1001}""")).GetProperty("accessToken").GetString()!;

        var me = await Seed.MeAsync(_client, token);

        Assert.Equal("1001", me.GetProperty("subject").GetString());
        Assert.Equal("Alice", me.GetProperty("name").GetString());
        Assert.Equal("demo-client", me.GetProperty("clientId").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("actor").ValueKind);
    }

    [Fact]
    public async Task Token_DocumentedRefresh_AnswersNewTokensOfTheSameUser()
    {
        var first = await TokenAsync($$"""{{{Credentials}},"grantType":"client_credentials","userId":1001}""");
        var refreshToken = first.GetProperty("refreshToken").GetString()!;

        var second = await TokenAsync($$"""{{{Credentials}},"grantType":"refresh_token","userId":1001,"refreshToken":"{{refreshToken}}"}""");

        Assert.NotEqual(first.GetProperty("accessToken").GetString(), second.GetProperty("accessToken").GetString());
        Assert.NotEqual(refreshToken, second.GetProperty("refreshToken").GetString());
        Assert.Equal("3600", second.GetProperty("expiresIn").GetString());
        Assert.Equal("bearer", second.GetProperty("tokenType").GetString());
        var me = await Seed.MeAsync(_client, second.GetProperty("accessToken").GetString()!);
        Assert.Equal("1001", me.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Token_ConsumedRefreshTokenAgain_FailsAndRevokesTheWholeFamily()
    {
        var first = await TokenAsync($$"""{{{Credentials}},"grantType":"client_credentials","userId":1001}""");
        var oldRefresh = first.GetProperty("refreshToken").GetString()!;
        var second = await TokenAsync($$"""{{{Credentials}},"grantType":"refresh_token","userId":1001,"refreshToken":"{{oldRefresh}}"}""");
        var newest = second.GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await Seed.MeStatusAsync(_client, newest));

        var replay = await ErrorAsync($$"""{{{Credentials}},"grantType":"refresh_token","userId":1001,"refreshToken":"{{oldRefresh}}"}""", HttpStatusCode.BadRequest);
        var newRefresh = await ErrorAsync($$"""{{{Credentials}},"grantType":"refresh_token","userId":1001,"refreshToken":"{{second.GetProperty("refreshToken").GetString()}}"}""", HttpStatusCode.BadRequest);

        Assert.Equal("invalid_grant", replay.GetProperty("error").GetString());
        Assert.Equal("invalid_grant", newRefresh.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, await Seed.MeStatusAsync(_client, newest));
        Assert.Equal(HttpStatusCode.Unauthorized, await Seed.MeStatusAsync(_client, first.GetProperty("accessToken").GetString()!));
    }

    [Fact]
    public async Task Token_RefreshWithAnotherUserId_Answers400InvalidGrant()
    {
        var refreshToken = (await TokenAsync($$"""{{{Credentials}},"grantType":"client_credentials","userId":1001}""")).GetProperty("refreshToken").GetString()!;

        var json = await ErrorAsync($$"""{{{Credentials}},"grantType":"refresh_token","userId":1002,"refreshToken":"{{refreshToken}}"}""", HttpStatusCode.BadRequest);

        Assert.Equal("invalid_grant", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Token_UserIdForClientThatMayNotActForUsers_Answers400UnauthorizedClient()
    {
        var json = await ErrorAsync("""{"clientId":"admin-client","clientSecret":"admin-secret","grantType":"client_credentials","userId":1001}""", HttpStatusCode.BadRequest);

        Assert.Equal("unauthorized_client", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Token_UnknownUserId_Answers400InvalidGrant()
    {
        var json = await ErrorAsync($$"""{{{Credentials}},"grantType":"client_credentials","userId":9999}""", HttpStatusCode.BadRequest);

        Assert.Equal("invalid_grant", json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"client_credentials","userId":true}""", 400, "invalid_request")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"client_credentials","userId":{"id":1001}}""", 400, "invalid_request")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"client_credentials","userId":[1001]}""", 400, "invalid_request")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":["client_credentials"],"userId":1001}""", 400, "invalid_request")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"client_credentials","userId":1001,"userId":1002}""", 400, "invalid_request")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","userId":1001}""", 400, "invalid_request")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"magic","userId":1001}""", 400, "unsupported_grant_type")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"password","userId":1001}""", 400, "unsupported_grant_type")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"refresh_token","userId":1001}""", 400, "invalid_request")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"refresh_token","userId":1001,"refreshToken":"nope"}""", 400, "invalid_grant")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"wrong","grantType":"client_credentials","userId":1001}""", 401, "invalid_client")]
    [InlineData("""{"clientId":"demo-client","grantType":"client_credentials","userId":1001}""", 401, "invalid_client")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"client_credentials","userId":"10 01"}""", 400, "invalid_request")]
    [InlineData("""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"client_credentials","userId":1001""", 400, "invalid_request")]
    [InlineData("""[{"clientId":"demo-client"}]""", 400, "invalid_request")]
    [InlineData("""{"a":[[[[[[[[[[1]]]]]]]]]]}""", 400, "invalid_request")]
    [InlineData("not json", 400, "invalid_request")]
    [InlineData("", 400, "invalid_request")]
    public async Task Token_BadJson_AnswersCamelCaseErrorWithRealStatus(string body, int status, string error)
    {
        var json = await ErrorAsync(body, (HttpStatusCode)status);

        Assert.Equal(error, json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "clientId=demo-client&clientSecret=demo-secret&grantType=client_credentials&userId=1001")]
    [InlineData("text/plain", """{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"client_credentials","userId":1001}""")]
    [InlineData("application/json; charset=utf-16", """{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"client_credentials","userId":1001}""")]
    public async Task Token_BodyThatIsNotUtf8Json_Answers400InvalidRequest(string contentType, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        Seed.AssertOAuthError(await Seed.SendJsonAsync(_client, request, HttpStatusCode.BadRequest), "invalid_request", "errorDescription");
    }

    [Fact]
    public async Task Token_QueryParametersWithoutBody_Answers400InvalidRequest()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path + "?clientId=demo-client&clientSecret=demo-secret&grantType=client_credentials");

        Seed.AssertOAuthError(await Seed.SendJsonAsync(_client, request, HttpStatusCode.BadRequest), "invalid_request", "errorDescription");
    }

    [Fact]
    public async Task Token_JsonBodyOver16KiB_Answers413()
    {
        var body = $$"""{{{Credentials}},"grantType":"client_credentials","padding":"{{new string('x', Seed.OversizedLength)}}"}""";

        var json = await ErrorAsync(body, HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    private async Task<JsonElement> TokenAsync(string body)
    {
        var json = await Seed.SendJsonAsync(_client, new HttpRequestMessage(HttpMethod.Post, Path) { Content = Seed.Json(body) }, HttpStatusCode.OK);
        Assert.Equal(43, json.GetProperty("accessToken").GetString()!.Length);
        return json;
    }

    /// <summary>An error in seed 002's camelCase: exactly <c>error</c> and <c>errorDescription</c>.</summary>
    private async Task<JsonElement> ErrorAsync(string body, HttpStatusCode status)
    {
        var json = await Seed.SendJsonAsync(_client, new HttpRequestMessage(HttpMethod.Post, Path) { Content = Seed.Json(body) }, status);
        Seed.AssertOAuthError(json, json.GetProperty("error").GetString()!, "errorDescription");
        return json;
    }
}
