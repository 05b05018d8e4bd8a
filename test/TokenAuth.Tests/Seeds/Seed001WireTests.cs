using System.Text.Json;

namespace TokenAuth.Tests.Seeds;

/// <summary>
/// Seed 001's requests byte for byte on a Kestrel socket: HttpClient would normalise <c>Authorization:Bearer …</c> to
/// <c>Authorization: Bearer …</c>, so these are written by hand, as the document prints them.
/// </summary>
public sealed class Seed001WireTests(KestrelSampleFactory factory) : IClassFixture<KestrelSampleFactory>
{
    [Fact]
    public async Task DocumentedRequests_OnTheWire_IssueATokenThatAuthorizationWithoutSpaceAccepts()
    {
        var server = factory.Address;
        var issued = await RawHttp.SendAsync(server,
            $"GET /api/oauth2/server/tokens?grant_type=client_credentials&client_id={Seed.AdminClient}&client_secret={Seed.AdminSecret} HTTP/1.1",
            "Accept: application/json");
        Assert.True(issued.Status == 200, issued.Head + issued.Body);
        var token = issued.Json().GetProperty("access_token").GetString()!;

        var me = await RawHttp.SendAsync(server, "GET /api/me HTTP/1.1", "Authorization:Bearer " + token);
        var sudo = await RawHttp.SendAsync(server, $"GET /api/me?access_token={token}&sudo=uid:1001&tenantId=t-100 HTTP/1.1");
        var check = await RawHttp.SendAsync(server, $"GET /api/oauth2/server/tokens/check?token={token} HTTP/1.1");
        var revoke = await RawHttp.SendAsync(server, $"GET /api/oauth2/server/tokens/revoke?token={token} HTTP/1.1");
        var after = await RawHttp.SendAsync(server, "GET /api/me HTTP/1.1", "Authorization:Bearer " + token);

        Assert.True(me.Status == 200, me.Head + me.Body);
        Assert.Equal("admin-client", me.Json().GetProperty("subject").GetString());
        Assert.Equal("authorizationHeader", me.Json().GetProperty("tokenSource").GetString());
        Assert.True(sudo.Status == 200, sudo.Head + sudo.Body);
        Assert.Equal("1001", sudo.Json().GetProperty("subject").GetString());
        Assert.Equal("t-100", sudo.Json().GetProperty("tenantId").GetString());
        Assert.Equal(200, check.Status);
        Assert.Equal(JsonValueKind.String, check.Json().GetProperty("expires_in").ValueKind);
        Assert.Equal(200, revoke.Status);
        Assert.Equal("""{"code":0,"msg":"success"}""", revoke.Body);
        Assert.Equal(401, after.Status);
    }
}
