using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Introspection;

/// <summary>The built-in mappings, answer by answer: what is active, what is not, and what is an outage.</summary>
public sealed class IntrospectionProtocolTests
{
    private static readonly FakeTimeProvider Time = new(TestApp.Start);
    private static readonly long Now = TestApp.Start.ToUnixTimeSeconds();

    public static TheoryData<string, TokenCheckStatus> Rfc7662Answers => new()
    {
        { """{"active":true}""", TokenCheckStatus.Valid },
        { """{"active":false}""", TokenCheckStatus.Invalid },
        { $$"""{"active":true,"exp":{{Now + 60}}}""", TokenCheckStatus.Valid },
        { $$"""{"active":true,"exp":"{{Now + 60}}"}""", TokenCheckStatus.Valid },
        { $$"""{"active":true,"exp":{{Now + 60}}.75}""", TokenCheckStatus.Valid },
        { """{"active":true,"exp":1e300}""", TokenCheckStatus.Valid },
        { $$"""{"active":true,"exp":{{Now}}}""", TokenCheckStatus.Invalid },
        { $$"""{"active":true,"nbf":{{Now + 60}},"iat":{{Now + 60}}}""", TokenCheckStatus.Valid },   // the server's clock, not ours
        { """{"active":true,"scope":["read","write"]}""", TokenCheckStatus.Valid },
        { """{"active":true,"aud":["a","b"],"iss":"https://as.example","jti":"1","ext":{"nested":true}}""", TokenCheckStatus.Valid },
        { """{"active":true,"token_type":"Bearer","token_usage":"access_token"}""", TokenCheckStatus.Valid },
        { """{"active":true,"token_usage":"refresh_token"}""", TokenCheckStatus.Invalid },
        { """{"active":true,"token_use":"id"}""", TokenCheckStatus.Invalid },
        { """{"active":true,"token_type":"DPoP"}""", TokenCheckStatus.Invalid },
        { """{"active":true,"cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}""", TokenCheckStatus.Invalid },
        { """{"active":"true"}""", TokenCheckStatus.Unavailable },
        { """{"active":1}""", TokenCheckStatus.Unavailable },
        { """{"scope":"read"}""", TokenCheckStatus.Unavailable },
        { """{"active":true,"exp":"tomorrow"}""", TokenCheckStatus.Unavailable },
        { """{"active":true,"iat":[1]}""", TokenCheckStatus.Unavailable },
        { """{"active":true,"sub":42}""", TokenCheckStatus.Unavailable },
        { """{"active":true,"scope":{"read":true}}""", TokenCheckStatus.Unavailable },
        { """{"active":true,"roles":[1,2]}""", TokenCheckStatus.Unavailable },
        { """[true]""", TokenCheckStatus.Unavailable },
        { """{"active":true""", TokenCheckStatus.Unavailable },
        { "", TokenCheckStatus.Unavailable },
    };

    [Theory]
    [MemberData(nameof(Rfc7662Answers))]
    public async Task Rfc7662_Answer_HasItsVerdict(string body, TokenCheckStatus expected)
    {
        using var response = Answer(HttpStatusCode.OK, body);

        var result = await IntrospectionProtocols.Rfc7662.ReadAsync(response, Time, CancellationToken.None);

        Assert.Equal(expected, result.Status);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task Rfc7662_AnythingButA200_IsUnavailable_EvenWithAnActiveBody(HttpStatusCode status)
    {
        using var response = Answer(status, """{"active":true}""");

        Assert.Equal(TokenCheckStatus.Unavailable, (await IntrospectionProtocols.Rfc7662.ReadAsync(response, Time, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Rfc7662_JwtAnswer_Rfc9701_IsUnavailable_AndSaysWhy()
    {
        using var response = Answer(HttpStatusCode.OK, "eyJ.eyJ.sig", "application/token-introspection+jwt");

        var result = await IntrospectionProtocols.Rfc7662.ReadAsync(response, Time, CancellationToken.None);

        Assert.Equal(TokenCheckStatus.Unavailable, result.Status);
        Assert.Contains("RFC 9701", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc7662_MapsEveryMember()
    {
        using var response = Answer(HttpStatusCode.OK, $$"""
            {"active":true,"scope":"read  write read","client_id":"c","sub":"s","username":"alice","exp":{{Now + 60}},"iat":{{Now - 5}},"nbf":{{Now - 5}},
             "aud":["api","other"],"iss":"https://as.example","tid":"t-1","role":"admin","token_type":"bearer","department":"sales","level":3,"vip":true,"nothing":null}
            """);

        var info = (await IntrospectionProtocols.Rfc7662.ReadAsync(response, Time, CancellationToken.None)).Info!;

        Assert.Equal(("s", "alice", "c", "t-1"), (info.Subject, info.Name, info.ClientId, info.TenantId));
        Assert.Equal(["read", "write"], info.Scopes);
        Assert.Equal(["admin"], info.Roles);
        Assert.Equal(TestApp.Start.AddSeconds(60), info.ExpiresAt);
        Assert.Equal(TestApp.Start.AddSeconds(-5), info.IssuedAt);
        Assert.Equal(TestApp.Start.AddSeconds(-5), info.NotBefore);
        Assert.Equal(
            [("preferred_username", "alice"), ("aud", "api"), ("aud", "other"), ("iss", "https://as.example"), ("department", "sales"), ("level", "3"), ("vip", "true")],
            info.Claims.Select(c => (c.Type, c.Value)));
    }

    [Fact]
    public async Task Rfc7662_Request_IsAFormPost_WithClientAuthenticationAsConfigured()
    {
        var endpoint = new Uri("https://as.example/introspect");
        using var basic = IntrospectionProtocols.Rfc7662.CreateRequest(endpoint, "tok en", new IntrospectionOptions { ClientId = "id:1", ClientSecret = "p w" });
        using var body = IntrospectionProtocols.Rfc7662.CreateRequest(endpoint, "t", new IntrospectionOptions { ClientId = "id", ClientSecret = "s", ClientAuthentication = IntrospectionClientAuthentication.Body, TokenTypeHint = null });
        using var anonymous = IntrospectionProtocols.Rfc7662.CreateRequest(endpoint, "t", new IntrospectionOptions());

        Assert.Equal(HttpMethod.Post, basic.Method);
        Assert.Equal("token=tok+en&token_type_hint=access_token", await basic.Content!.ReadAsStringAsync());
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("id%3A1:p%20w")), basic.Headers.Authorization!.ToString());
        Assert.Equal("token=t&client_id=id&client_secret=s", await body.Content!.ReadAsStringAsync());
        Assert.Null(body.Headers.Authorization);
        Assert.Null(anonymous.Headers.Authorization);
        Assert.Equal("application/json", basic.Headers.Accept.Single().MediaType);
    }

    public static TheoryData<HttpStatusCode, string, TokenCheckStatus> CheckAnswers => new()
    {
        { HttpStatusCode.OK, """{"access_token":"t","token_type":"bearer","expires_in":"43199","scope":"sudo"}""", TokenCheckStatus.Valid },
        { HttpStatusCode.OK, """{"access_token":"t","expires_in":60,"scope":"read write"}""", TokenCheckStatus.Valid },
        { HttpStatusCode.OK, """{"scope":"read"}""", TokenCheckStatus.Valid },
        { HttpStatusCode.OK, """{"expires_in":"0"}""", TokenCheckStatus.Invalid },
        { HttpStatusCode.OK, """{"expires_in":"soon"}""", TokenCheckStatus.Unavailable },
        { HttpStatusCode.OK, """{"scope":7}""", TokenCheckStatus.Unavailable },
        { HttpStatusCode.OK, "ok", TokenCheckStatus.Unavailable },
        { HttpStatusCode.BadRequest, """{"error":"invalid_token","error_description":"The token is unknown, revoked or expired."}""", TokenCheckStatus.Invalid },
        { HttpStatusCode.Unauthorized, """{"error":"invalid_token"}""", TokenCheckStatus.Invalid },
        { HttpStatusCode.BadRequest, """{"error":"invalid_request"}""", TokenCheckStatus.Unavailable },
        { HttpStatusCode.BadRequest, "<html>", TokenCheckStatus.Unavailable },
        { HttpStatusCode.Forbidden, """{"error":"invalid_token"}""", TokenCheckStatus.Unavailable },
        { HttpStatusCode.InternalServerError, """{"error":"invalid_token"}""", TokenCheckStatus.Unavailable },
    };

    [Theory]
    [MemberData(nameof(CheckAnswers))]
    public async Task TokenCheck_Answer_HasItsVerdict(HttpStatusCode status, string body, TokenCheckStatus expected)
    {
        using var response = Answer(status, body);

        Assert.Equal(expected, (await IntrospectionProtocols.TokenCheck.ReadAsync(response, Time, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task TokenCheck_ExpiresIn_IsCountedFromNow_ScopesSplit()
    {
        using var response = Answer(HttpStatusCode.OK, """{"access_token":"t","token_type":"bearer","expires_in":"43199","scope":"read write sudo"}""");

        var info = (await IntrospectionProtocols.TokenCheck.ReadAsync(response, Time, CancellationToken.None)).Info!;

        Assert.Equal(TestApp.Start.AddSeconds(43199), info.ExpiresAt);
        Assert.Equal(["read", "write", "sudo"], info.Scopes);
    }

    [Fact]
    public void TokenCheck_Request_IsAGet_WithTheTokenInTheQuery_AndCredentialsOnlyInTheHeader()
    {
        using var request = IntrospectionProtocols.TokenCheck.CreateRequest(
            new Uri("https://as.example/api/oauth2/server/tokens/check?v=2"), "a+b/c=", new IntrospectionOptions { ClientId = "id", ClientSecret = "s", ClientAuthentication = IntrospectionClientAuthentication.Body });

        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("https://as.example/api/oauth2/server/tokens/check?v=2&token=a%2Bb%2Fc%3D", request.RequestUri!.AbsoluteUri);
        Assert.Equal("Basic", request.Headers.Authorization!.Scheme);
        Assert.Null(request.Content);
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, string mediaType = "application/json")
        => new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
}
