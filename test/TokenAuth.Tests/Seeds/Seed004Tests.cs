using System.Net;
using System.Text.Json;

namespace TokenAuth.Tests.Seeds;

/// <summary>
/// Seed 004: <c>POST /openapi/auth/credential</c> with <c>clientId</c>, <c>secret</c>, <c>userType=2</c> as Params (not
/// JSON), answering <c>{code, message, trackId, data: "&lt;token&gt;", extr, timestamp, _status, ok}</c>; tokens live two
/// hours and go in the <c>Access-Token</c> header beside a <c>Request-Id</c>.
/// </summary>
public sealed class Seed004Tests(SampleFactory factory) : IClassFixture<SampleFactory>
{
    private const string Path = "/openapi/auth/credential";
    private const string Params = "clientId=demo-client&secret=demo-secret&userType=2";

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Credential_DocumentedParams_AnswersEnvelopeWithTheTokenAsData()
    {
        var json = await EnvelopeAsync(Post("?" + Params, requestId: "req-0001"), HttpStatusCode.OK);

        Assert.Equal(200, json.GetProperty("code").GetInt32());
        Assert.Equal("success", json.GetProperty("message").GetString());
        Assert.Equal("req-0001", json.GetProperty("trackId").GetString());
        Assert.Equal(43, json.GetProperty("data").GetString()!.Length);
        Assert.Equal(factory.Time.GetUtcNow().ToUnixTimeMilliseconds(), json.GetProperty("timestamp").GetInt64());
        Assert.Equal("SUCCESS", json.GetProperty("_status").GetString());
    }

    [Fact]
    public async Task Credential_FormBodyInsteadOfQuery_AnswersTheSameEnvelope()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = Seed.Form(("clientId", Seed.DemoClient), ("secret", Seed.DemoSecret), ("userType", "2")) };

        var json = await EnvelopeAsync(request, HttpStatusCode.OK);

        Assert.Equal(43, json.GetProperty("data").GetString()!.Length);
    }

    [Fact]
    public async Task Credential_WithoutRequestId_AnswersSomeTrackId()
    {
        var json = await EnvelopeAsync(Post("?" + Params), HttpStatusCode.OK);

        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("trackId").GetString()));
    }

    [Fact]
    public async Task Me_AccessTokenAndRequestIdHeaders_AnswersTheClient()
    {
        var token = await TokenAsync();

        var me = await Seed.MeAsync(_client, Seed.Request(HttpMethod.Get, "/api/me", ("Access-Token", token), ("Request-Id", "req-0002")));

        Assert.Equal("demo-client", me.GetProperty("subject").GetString());
        Assert.Equal("demo-client", me.GetProperty("clientId").GetString());
        Assert.Equal("header", me.GetProperty("tokenSource").GetString());
    }

    [Fact]
    public async Task Credential_Token_LastsTwoHours()
    {
        var token = await TokenAsync();

        var introspection = await Seed.IntrospectAsync(_client, token);
        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal(7200, introspection.GetProperty("exp").GetInt64() - introspection.GetProperty("iat").GetInt64());
        await factory.AssertLifetimeAsync(TimeSpan.FromHours(2), () => MeStatusAsync(token));
    }

    [Theory]
    [InlineData("clientId=demo-client&secret=demo-secret&userType=3", 400, "invalid_request")]
    [InlineData("clientId=demo-client&secret=demo-secret&userType=2&userType=2", 400, "invalid_request")]
    [InlineData("clientId=demo-client&secret=demo-secret&userType=2&grantType=password", 400, "unsupported_grant_type")]
    [InlineData("clientId=demo-client&secret=demo-secret&userType=2&grantType=magic", 400, "unsupported_grant_type")]
    [InlineData("clientId=demo-client&secret=demo-secret&secret=demo-secret&userType=2", 400, "invalid_request")]
    [InlineData("clientId=demo-client&secret=demo-secret&userType=2&scope=sudo", 400, "invalid_scope")]
    [InlineData("clientId=demo-client&userType=2", 401, "invalid_client")]
    [InlineData("secret=demo-secret&userType=2", 401, "invalid_client")]
    [InlineData("clientId=demo-client&secret=wrong&userType=2", 401, "invalid_client")]
    [InlineData("", 401, "invalid_client")]
    public async Task Credential_BadParams_AnswersFailureEnvelopeWithRealStatus(string query, int status, string error)
    {
        var json = await EnvelopeAsync(Post("?" + query, requestId: "req-bad"), (HttpStatusCode)status);

        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.Equal("req-bad", json.GetProperty("trackId").GetString());
    }

    [Theory]
    [InlineData("application/json", """{"clientId":"demo-client","secret":"demo-secret","userType":"2"}""")]
    [InlineData("text/plain", "clientId=demo-client&secret=demo-secret&userType=2")]
    public async Task Credential_JsonOrOtherBody_AnswersFailureEnvelope400(string contentType, string body)
    {
        var request = Post(string.Empty);
        request.Content = new StringContent(body);
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        var json = await EnvelopeAsync(request, HttpStatusCode.BadRequest);

        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Credential_FormBodyOver16KiB_AnswersFailureEnvelope413()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = Seed.OversizedForm() };

        var json = await EnvelopeAsync(request, HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Credential_Get_Answers405NotA500()
    {
        using var response = await _client.GetAsync(new Uri(Path + "?" + Params, UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    private static HttpRequestMessage Post(string query, string? requestId = null)
        => requestId is null
            ? new HttpRequestMessage(HttpMethod.Post, Path + query)
            : Seed.Request(HttpMethod.Post, Path + query, ("Request-Id", requestId));

    private async Task<string> TokenAsync()
        => (await EnvelopeAsync(Post("?" + Params, requestId: "req-token"), HttpStatusCode.OK)).GetProperty("data").GetString()!;

    private async Task<HttpStatusCode> MeStatusAsync(string token)
    {
        using var request = Seed.Request(HttpMethod.Get, "/api/me", ("Access-Token", token), ("Request-Id", "req-me"));
        using var response = await _client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>
    /// The envelope, each member of the document's type: code Integer (the HTTP status), message String, trackId String,
    /// data String (null on an error), extr null, timestamp Integer (epoch ms), _status String, ok Boolean; an error adds
    /// the RFC 6749 code in <c>error</c>.
    /// </summary>
    private async Task<JsonElement> EnvelopeAsync(HttpRequestMessage request, HttpStatusCode status)
    {
        using (request)
        {
            var json = await Seed.SendJsonAsync(_client, request, status);
            var success = status == HttpStatusCode.OK;
            (string, JsonValueKind)[] members =
            [
                ("code", JsonValueKind.Number), ("message", JsonValueKind.String), ("trackId", JsonValueKind.String),
                ("data", success ? JsonValueKind.String : JsonValueKind.Null), ("extr", JsonValueKind.Null),
                ("timestamp", JsonValueKind.Number), ("_status", JsonValueKind.String), ("ok", success ? JsonValueKind.True : JsonValueKind.False),
            ];
            Seed.AssertMembers(json, success ? members : [.. members, ("error", JsonValueKind.String)]);
            Assert.Equal((int)status, json.GetProperty("code").GetInt32());
            Assert.Equal(success ? "SUCCESS" : "FAILURE", json.GetProperty("_status").GetString());
            Assert.Equal(factory.Time.GetUtcNow().ToUnixTimeMilliseconds(), json.GetProperty("timestamp").GetInt64());
            return json;
        }
    }
}
