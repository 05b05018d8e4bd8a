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

    public static TheoryData<string, TokenValidationStatus> Rfc7662Answers => new()
    {
        { """{"active":true}""", TokenValidationStatus.Valid },
        { """{"active":false}""", TokenValidationStatus.Invalid },
        { $$"""{"active":true,"exp":{{Now + 60}}}""", TokenValidationStatus.Valid },
        { $$"""{"active":true,"exp":"{{Now + 60}}"}""", TokenValidationStatus.Valid },
        { $$"""{"active":true,"exp":{{Now + 60}}.75}""", TokenValidationStatus.Valid },
        { """{"active":true,"exp":1e300}""", TokenValidationStatus.Valid },
        { $$"""{"active":true,"exp":{{Now}}}""", TokenValidationStatus.Invalid },
        { $$"""{"active":true,"nbf":{{Now + 60}},"iat":{{Now + 60}}}""", TokenValidationStatus.Valid },   // the server's clock, not ours
        { """{"active":true,"scope":["read","write"]}""", TokenValidationStatus.Valid },
        { """{"active":true,"aud":["a","b"],"iss":"https://as.example","jti":"1","ext":{"nested":true}}""", TokenValidationStatus.Valid },
        { """{"active":true,"token_type":"Bearer","token_usage":"access_token"}""", TokenValidationStatus.Valid },
        { """{"active":true,"token_usage":"refresh_token"}""", TokenValidationStatus.Invalid },
        { """{"active":true,"token_use":"id"}""", TokenValidationStatus.Invalid },
        { """{"active":true,"token_type":"DPoP"}""", TokenValidationStatus.Invalid },
        { """{"active":true,"cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}""", TokenValidationStatus.Invalid },
        { """{"active":"true"}""", TokenValidationStatus.Unavailable },
        { """{"active":1}""", TokenValidationStatus.Unavailable },
        { """{"scope":"read"}""", TokenValidationStatus.Unavailable },
        { """{"active":true,"exp":"tomorrow"}""", TokenValidationStatus.Unavailable },
        { """{"active":true,"iat":[1]}""", TokenValidationStatus.Unavailable },
        { """{"active":true,"sub":42}""", TokenValidationStatus.Unavailable },
        { """{"active":true,"scope":{"read":true}}""", TokenValidationStatus.Unavailable },
        { """{"active":true,"roles":[1,2]}""", TokenValidationStatus.Unavailable },
        { """[true]""", TokenValidationStatus.Unavailable },
        { """{"active":true""", TokenValidationStatus.Unavailable },
        { "", TokenValidationStatus.Unavailable },
    };

    [Theory]
    [MemberData(nameof(Rfc7662Answers))]
    public async Task Rfc7662_Answer_HasItsVerdict(string body, TokenValidationStatus expected)
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

        Assert.Equal(TokenValidationStatus.Unavailable, (await IntrospectionProtocols.Rfc7662.ReadAsync(response, Time, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Rfc7662_JwtAnswer_Rfc9701_IsUnavailable_AndSaysWhy()
    {
        using var response = Answer(HttpStatusCode.OK, "eyJ.eyJ.sig", "application/token-introspection+jwt");

        var result = await IntrospectionProtocols.Rfc7662.ReadAsync(response, Time, CancellationToken.None);

        Assert.Equal(TokenValidationStatus.Unavailable, result.Status);
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

    public static TheoryData<HttpStatusCode, string, TokenValidationStatus> CheckAnswers => new()
    {
        { HttpStatusCode.OK, """{"access_token":"t","token_type":"bearer","expires_in":"43199","scope":"sudo"}""", TokenValidationStatus.Valid },
        { HttpStatusCode.OK, """{"access_token":"t","expires_in":60,"scope":"read write"}""", TokenValidationStatus.Valid },
        { HttpStatusCode.OK, """{"scope":"read"}""", TokenValidationStatus.Valid },
        { HttpStatusCode.OK, """{"expires_in":"0"}""", TokenValidationStatus.Invalid },
        { HttpStatusCode.OK, """{"expires_in":"soon"}""", TokenValidationStatus.Unavailable },
        { HttpStatusCode.OK, """{"scope":7}""", TokenValidationStatus.Unavailable },
        { HttpStatusCode.OK, "ok", TokenValidationStatus.Unavailable },
        { HttpStatusCode.BadRequest, """{"error":"invalid_token","error_description":"The token is unknown, revoked or expired."}""", TokenValidationStatus.Invalid },
        { HttpStatusCode.Unauthorized, """{"error":"invalid_token"}""", TokenValidationStatus.Invalid },
        { HttpStatusCode.BadRequest, """{"error":"invalid_request"}""", TokenValidationStatus.Unavailable },
        { HttpStatusCode.BadRequest, "<html>", TokenValidationStatus.Unavailable },
        { HttpStatusCode.Forbidden, """{"error":"invalid_token"}""", TokenValidationStatus.Unavailable },
        { HttpStatusCode.InternalServerError, """{"error":"invalid_token"}""", TokenValidationStatus.Unavailable },
    };

    [Theory]
    [MemberData(nameof(CheckAnswers))]
    public async Task TokenCheck_Answer_HasItsVerdict(HttpStatusCode status, string body, TokenValidationStatus expected)
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
