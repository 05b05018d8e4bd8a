using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using TokenAuth.Tests.Infrastructure;
using TokenAuth.Tests.Seeds;

namespace TokenAuth.Tests.Sample;

/// <summary>
/// The sample as a pure resource server of another sample instance — by configuration alone, as the README's two commands
/// do it — and seed 001's check as the backend of any host.
/// </summary>
public sealed class SampleIntrospectionTests
{
    [Fact]
    public async Task Sample_WithIntrospectionAuthority_AcceptsTheAuthoritysTokens_AndItsOwn()
    {
        await using var authority = new KestrelSampleFactory();
        var issuer = authority.Address.AbsoluteUri.TrimEnd('/');
        await using var resourceServer = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Authentication:Schemes:TokenAuth:Introspection:Authority", issuer)
            .UseSetting("Authentication:Schemes:TokenAuth:Introspection:ClientId", Seed.ResourceServer)
            .UseSetting("Authentication:Schemes:TokenAuth:Introspection:ClientSecret", Seed.ResourceSecret));
        using var authorityClient = new HttpClient { BaseAddress = authority.Address };
        using var client = resourceServer.CreateClient();

        var theirs = await Seed.RfcTokenAsync(authorityClient, Seed.AdminClient, Seed.AdminSecret);
        var own = await Seed.RfcTokenAsync(client, Seed.DemoClient, Seed.DemoSecret);

        var me = await Seed.MeAsync(client, theirs);
        Assert.Equal("admin-client", me.GetProperty("subject").GetString());
        Assert.Equal(["read", "write", "sudo"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        // The authority's sudo scope works here too: the resource server's own users and tenants answer it.
        var sudo = await Seed.MeAsync(client, Seed.Request(HttpMethod.Get, "/api/me?sudo=uid:1001&tenantId=t-100", ("Authorization", "Bearer " + theirs)));
        Assert.Equal("1001", sudo.GetProperty("subject").GetString());
        Assert.Equal("demo-client", (await Seed.MeAsync(client, own)).GetProperty("subject").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, await Seed.MeStatusAsync(client, "known-to-neither-instance"));

        // The authority knows only its own tokens: the resource server's are not introspected there.
        Assert.Equal(HttpStatusCode.Unauthorized, await Seed.MeStatusAsync(authorityClient, own));
    }

    [Fact]
    public async Task Sample_PublishesRfc8414Metadata_NamingItsEndpoints()
    {
        await using var sample = new KestrelSampleFactory();
        using var client = new HttpClient { BaseAddress = sample.Address };

        using var response = await client.GetAsync("/.well-known/oauth-authorization-server");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var issuer = sample.Address.AbsoluteUri.TrimEnd('/');
        Assert.Equal(issuer, json.RootElement.GetProperty("issuer").GetString());
        Assert.Equal(issuer + "/oauth/introspect", json.RootElement.GetProperty("introspection_endpoint").GetString());
        Assert.Equal(issuer + "/oauth/token", json.RootElement.GetProperty("token_endpoint").GetString());
    }

    [Fact]
    public async Task Seed001Check_AsTheBackend_AcceptsTheSamplesSeed001Tokens_RefusesRevokedOnes()
    {
        await using var sample = new KestrelSampleFactory();
        using var sampleClient = new HttpClient { BaseAddress = sample.Address };
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Introspection.Endpoint = new Uri(sample.Address, "/api/oauth2/server/tokens/check").AbsoluteUri;
            o.Introspection.Protocol = IntrospectionProtocols.TokenCheck;
        });

        var token = await Seed001TokenAsync(sampleClient);
        var revoked = await Seed001TokenAsync(sampleClient);
        using (await sampleClient.GetAsync($"/api/oauth2/server/tokens/revoke?token={revoked}"))
        {
        }

        using var accepted = await app.Client.SendAsync(TestApp.Get("/protected", token));
        using var refused = await app.Client.SendAsync(TestApp.Get("/protected", revoked));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        using var json = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync());
        Assert.Equal(["read", "write", "sudo"], json.RootElement.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> Seed001TokenAsync(HttpClient sample)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/oauth2/server/tokens?grant_type=client_credentials&client_id={Seed.AdminClient}&client_secret={Seed.AdminSecret}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await sample.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString()!;
    }
}
