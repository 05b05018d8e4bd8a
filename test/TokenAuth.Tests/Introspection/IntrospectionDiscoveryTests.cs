using System.Net;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Introspection.ResourceServer;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// Finding the endpoint from the authority: RFC 8414 metadata first, OpenID Connect discovery second; kept, refreshed,
/// and never a failure kept forever.
/// </summary>
public sealed class IntrospectionDiscoveryTests
{
    private static Task<TestApp> StartAsync(IntrospectionAuthority authority, Action<TokenAuthOptions>? configure = null)
        => ResourceServer.StartAsync(authority, o =>
        {
            o.Introspection.Endpoint = null;
            o.Introspection.Authority = authority.Issuer;
            configure?.Invoke(o);
        });

    [Fact]
    public async Task AuthorizationServerMetadata_GivesTheEndpoint_ReadOnce()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        authority.AuthorizationServerMetadata = authority.Metadata();
        await using var app = await StartAsync(authority);
        var token = await authority.IssueAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));
        }

        Assert.Equal(1, authority.DiscoveryCalls);
        Assert.Equal(3, authority.Calls);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "IntrospectionEndpointDiscovered");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
    }

    [Fact]
    public async Task OnlyOpenIdConfiguration_IsUsedAfterTheRfc8414DocumentIsMissing()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        authority.OpenIdConfiguration = authority.Metadata();
        await using var app = await StartAsync(authority);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));
        Assert.Equal(2, authority.DiscoveryCalls);   // 404 for oauth-authorization-server, then openid-configuration
    }

    [Fact]
    public async Task NoDocument_Is503_AndIsTriedAgain_OnceItIsThere()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        var token = await authority.IssueAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, token));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, token));
        Assert.Equal(4, authority.DiscoveryCalls);
        Assert.Equal(0, authority.Calls);

        authority.AuthorizationServerMetadata = authority.Metadata();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(1, authority.Calls);
    }

    [Theory]
    [InlineData("another issuer", "{\"issuer\":\"https://elsewhere.example\",\"introspection_endpoint\":\"{endpoint}\"}")]
    [InlineData("no issuer", "{\"introspection_endpoint\":\"{endpoint}\"}")]
    [InlineData("no endpoint", "{\"issuer\":\"{issuer}\"}")]
    [InlineData("a relative endpoint", "{\"issuer\":\"{issuer}\",\"introspection_endpoint\":\"/oauth/introspect\"}")]
    [InlineData("plain HTTP off loopback", "{\"issuer\":\"{issuer}\",\"introspection_endpoint\":\"http://introspection.example/introspect\"}")]
    [InlineData("not JSON", "<html></html>")]
    public async Task UnusableDocument_Is503(string why, string document)
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        authority.AuthorizationServerMetadata = document.Replace("{issuer}", authority.Issuer, StringComparison.Ordinal).Replace("{endpoint}", authority.IntrospectionEndpoint, StringComparison.Ordinal);
        await using var app = await StartAsync(authority);

        Assert.True(HttpStatusCode.ServiceUnavailable == await StatusAsync(app, await authority.IssueAsync()), why);
        Assert.Equal(0, authority.Calls);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "IntrospectionDiscoveryFailed");
    }

    [Fact]
    public async Task Endpoint_IsRediscoveredAfterTheInterval_AndKeptWhenTheRefreshFails()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        authority.AuthorizationServerMetadata = authority.Metadata();
        await using var app = await StartAsync(authority, o =>
        {
            o.Introspection.DiscoveryRefreshInterval = TimeSpan.FromMinutes(10);
            o.Introspection.CacheDuration = TimeSpan.Zero;
        });
        var token = await authority.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));

        authority.Time.Advance(TimeSpan.FromMinutes(10));
        authority.AuthorizationServerMetadata = null;   // the refresh finds nothing
        authority.OpenIdConfiguration = null;
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        await IntrospectionCacheTests.WaitUntilAsync(() => authority.DiscoveryCalls == 3);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(3, authority.DiscoveryCalls);   // the failed refresh is not repeated by every request
        await IntrospectionCacheTests.WaitUntilAsync(() => app.Logs.Entries.Any(e => e.EventId.Name == "IntrospectionDiscoveryFailed"));
    }

    [Theory]
    [InlineData("https://as.example", "https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration")]
    [InlineData("https://as.example/", "https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration")]
    [InlineData("https://as.example/tenant/1", "https://as.example/.well-known/oauth-authorization-server/tenant/1", "https://as.example/tenant/1/.well-known/openid-configuration")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/.well-known/oauth-authorization-server", "http://127.0.0.1:5000/.well-known/openid-configuration")]
    public void DocumentAddresses_FollowRfc8414AndOpenIdConnect(string authority, string rfc8414, string openId)
        => Assert.Equal([rfc8414, openId], IntrospectionEndpointResolver.DocumentAddresses(new Uri(authority)).Select(u => u.AbsoluteUri));
}
