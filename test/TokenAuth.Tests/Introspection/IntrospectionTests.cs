using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TokenAuth.Tests.Handler;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Introspection.ResourceServer;

namespace TokenAuth.Tests.Introspection;

/// <summary>RFC 7662 against TokenAuth.Server's own introspection endpoint on Kestrel: the request, the answer's mapping, the verdicts.</summary>
public sealed class IntrospectionTests
{
    [Fact]
    public async Task ActiveToken_IsAccepted_WithWhatTheServerSays()
    {
        await using var authority = await IntrospectionAuthority.StartAsync(server: o =>
        {
            o.Issuer = "https://issuer.example";
            o.Audience = "orders-api";
        });
        await using var app = await StartAsync(authority);
        var expiresAt = TestApp.Start.AddMinutes(30);
        var token = await authority.IssueAsync(new TokenInfo
        {
            Subject = "user-7", Name = "Grace", ClientId = IntrospectionAuthority.AppClientId, Scopes = ["read", "write"],
            Roles = ["admin"], TenantId = "t-100", ExpiresAt = expiresAt,
        });

        using var response = await app.Client.SendAsync(TestApp.Get("/claims", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await Http.JsonAsync(response);
        var claims = json.GetProperty("claims").EnumerateArray().Select(c => (c[0].GetString(), c[1].GetString())).ToList();
        Assert.Contains(("sub", "user-7"), claims);
        Assert.Contains(("name", "Grace"), claims);
        Assert.Contains(("client_id", IntrospectionAuthority.AppClientId), claims);
        Assert.Contains(("scope", "read"), claims);
        Assert.Contains(("scope", "write"), claims);
        Assert.Contains(("role", "admin"), claims);
        Assert.Contains(("tenant_id", "t-100"), claims);
        Assert.Contains(("iss", "https://issuer.example"), claims);
        Assert.Contains(("aud", "orders-api"), claims);
        Assert.Contains(("exp", expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)), claims);
        Assert.Equal(expiresAt, json.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(1, authority.Calls);
    }

    [Fact]
    public async Task Request_IsAFormPost_OfTheTokenAndHint_WithBasicClientAuthentication()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        var token = await authority.IssueAsync();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));

        var request = Assert.Single(authority.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType?.Split(';')[0]);
        Assert.Equal($"token={token}&token_type_hint=access_token", request.Body);
        Assert.Empty(request.Query);
        // RFC 6749 §2.3.1: each part form-urlencoded before base64; the server (and the 200) proves it decodes back.
        var basic = Encoding.UTF8.GetString(Convert.FromBase64String(request.Authorization["Basic ".Length..]));
        Assert.Equal($"{Uri.EscapeDataString(IntrospectionAuthority.ResourceClientId)}:{Uri.EscapeDataString(IntrospectionAuthority.ResourceClientSecret)}", basic);
    }

    [Fact]
    public async Task BodyClientAuthentication_SendsTheClientInTheForm_AndNoHeader()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o =>
        {
            o.Introspection.ClientAuthentication = IntrospectionClientAuthentication.Body;
            o.Introspection.TokenTypeHint = null;
        });
        var token = await authority.IssueAsync();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));

        var request = Assert.Single(authority.Requests);
        Assert.Empty(request.Authorization);
        var form = request.Body.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        Assert.Equal(new[] { "token", "client_id", "client_secret" }, form.Keys);
        Assert.Equal(IntrospectionAuthority.ResourceClientSecret, form["client_secret"]);
    }

    [Fact]
    public async Task UnknownOrRevokedToken_Is401_NotActive()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        var token = await authority.IssueAsync();
        await authority.RevokeAsync(token);

        using var revoked = await app.Client.SendAsync(TestApp.Get("/protected", token));
        using var unknown = await app.Client.SendAsync(TestApp.Get("/protected", "never-issued-token"));

        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token is not active.\"", Http.Challenge(revoked));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task WrongClientSecret_IsAnOutage_503_NeverA401()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.Introspection.ClientSecret = "wrong");
        var token = await authority.IssueAsync();

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Empty(response.Headers.WwwAuthenticate);
        var line = Assert.Single(app.Logs.Entries, e => e.EventId.Name == "IntrospectionUnavailable");
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("answered 401", line.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshToken_PresentedAsAnAccessToken_Is401()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        var (access, refresh) = await authority.GrantAsync();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, access));
        using var response = await app.Client.SendAsync(TestApp.Get("/protected", refresh));

        // The server says the refresh token is active — and that it is a refresh token ("token_usage").
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not an access token", Http.Challenge(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoLogLine_AtAnyLevel_ContainsAToken_NorTheClientSecret()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var rfc = await StartAsync(authority);
        await using var check = await StartAsync(authority, o =>
        {
            o.Introspection.Endpoint = authority.CheckEndpoint;
            o.Introspection.Protocol = IntrospectionProtocols.TokenCheck;
        });
        var good = await authority.IssueAsync();
        var revoked = await authority.IssueAsync();
        await authority.RevokeAsync(revoked);

        foreach (var app in new[] { rfc, check })
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, good));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, revoked));
            authority.Fault = IntrospectionAuthority.Answer(500, "{}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, "failing-token-" + Guid.NewGuid().ToString("N")));
            authority.Fault = null;

            // The backchannel's own lines (HttpClient, resilience) are captured too: a check request carries the token in its URL.
            var logs = app.Logs.TextOutsideHostingRequestLines;
            Assert.Contains("System.Net.Http.HttpClient", logs, StringComparison.Ordinal);
            Assert.Contains(TokenHash.Compute(revoked).Prefix, logs, StringComparison.Ordinal);
            foreach (var secret in new[] { good, revoked, IntrospectionAuthority.ResourceClientSecret, Uri.EscapeDataString(IntrospectionAuthority.ResourceClientSecret) })
            {
                Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            }
        }
    }
}
