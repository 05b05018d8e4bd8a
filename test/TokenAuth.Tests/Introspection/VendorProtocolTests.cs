using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Introspection.ResourceServer;

namespace TokenAuth.Tests.Introspection;

/// <summary>A host's own vendor mapping, written in a few lines as the README shows it.</summary>
public sealed class VendorProtocolTests
{
    [Fact]
    public async Task CustomMapping_InAFewLines_ValidatesAgainstTheVendorsOwnCheck()
    {
        await using var authority = await IntrospectionAuthority.StartAsync(map: app => app.MapGet("/vendor/verify", (string accessToken) =>
            accessToken == "vendor-token"
                ? Results.Json(new { code = 0, data = new { uid = "42", perms = "read,write", ttl = 120 } })
                : Results.Json(new { code = 40101, msg = "token invalid" })));
        await using var app = await StartAsync(authority, o =>
        {
            o.Introspection.Endpoint = new Uri(authority.Address, "vendor/verify").AbsoluteUri;
            // The whole mapping: the request, then the answer. Anything it did not expect (a missing member) is a 503.
            o.Introspection.Protocol = IntrospectionProtocols.Create(
                (endpoint, token, _) => new HttpRequestMessage(HttpMethod.Get, $"{endpoint}?accessToken={Uri.EscapeDataString(token)}"),
                answer => answer.Json.GetProperty("code").GetInt32() != 0
                    ? TokenCheckResult.Invalid("The vendor does not know the token.")
                    : TokenCheckResult.Valid(new TokenInfo
                    {
                        Subject = answer.Json.GetProperty("data").GetProperty("uid").GetString(),
                        Scopes = answer.Json.GetProperty("data").GetProperty("perms").GetString()!.Split(','),
                        ExpiresAt = answer.Now.AddSeconds(answer.Json.GetProperty("data").GetProperty("ttl").GetInt32()),
                    }));
        });

        using var ok = await app.Client.SendAsync(TestApp.Get("/scoped", "vendor-token"));
        using var refused = await app.Client.SendAsync(TestApp.Get("/protected", "other-token"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);   // the "write" scope came from perms
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("?accessToken=vendor-token", authority.Requests.First().Query);

        // An entry ends with the lifetime the vendor gave (ttl), and the vendor is asked again.
        authority.Time.Advance(TimeSpan.FromSeconds(120));
        await IntrospectionCacheTests.AssertCachedForAsync(app, authority, "vendor-token", TimeSpan.FromSeconds(120), HttpStatusCode.OK);
    }
}
