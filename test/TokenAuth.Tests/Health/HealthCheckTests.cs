using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using TokenAuth.Tests.Infrastructure;
using TokenAuth.Tests.Introspection;
using TokenAuth.Tests.Jwt;

namespace TokenAuth.Tests.Health;

/// <summary>
/// <c>AddHealthChecks().AddTokenAuth()</c>: one check of what a scheme validates against, asked through the very objects
/// that validate (real Redis, a real introspection authority, a real OpenID provider), naming the part that fails.
/// </summary>
public sealed class HealthCheckTests
{
    [RedisFact]
    public async Task Sample_Healthz_TurnsUnhealthyWhenRedisStops_AndHealthyAgainAfterARestart()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var sample = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Redis", redis.ConnectionString));
        using var client = sample.CreateClient();
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthzAsync(client));
        var report = await ReportAsync(sample.Services);
        Assert.StartsWith("Redis answered in ", (string)report.Entries["tokenauth"].Data["token store"], StringComparison.Ordinal);

        await redis.StopAsync();
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await HealthzAsync(client));
        var down = (await ReportAsync(sample.Services)).Entries["tokenauth"];
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.StartsWith("TokenAuth (TokenAuth) cannot validate tokens: token store: Redis cannot be reached (", down.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), down.Description, StringComparison.Ordinal);
        Assert.Null(down.Exception);

        await redis.RestartAsync();
        // The connection comes back in the background; the check sees it as soon as it has.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var status = await HealthzAsync(client);
        while (status.Item1 != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = await HealthzAsync(client);
        }

        Assert.Equal((HttpStatusCode.OK, "Healthy"), status);
    }

    [Fact]
    public async Task Sample_InMemory_IsHealthy_AndSaysSo()
    {
        await using var sample = new WebApplicationFactory<Program>();
        using var client = sample.CreateClient();

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthzAsync(client));
        var entry = (await ReportAsync(sample.Services)).Entries["tokenauth"];
        Assert.Equal("TokenAuth (TokenAuth): token store: in memory", entry.Description);
    }

    [Fact]
    public async Task Healthz_NeedsNoToken_AndABadOneChangesNothing()
    {
        await using var sample = new WebApplicationFactory<Program>();
        using var client = sample.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Authorization = new("Bearer", "not-a-token");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Introspection_Discovered_IsHealthy_PausedCircuit_IsUnhealthy_UntilAnAnswer()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        authority.AuthorizationServerMetadata = authority.Metadata();
        await using var app = await ResourceServer.StartAsync(
            authority,
            o =>
            {
                o.Introspection.Endpoint = null;
                o.Introspection.Authority = authority.Issuer;
                o.Introspection.MaxRetryAttempts = 0;
                o.Introspection.CircuitBreaker.MinimumThroughput = 2;
                o.Introspection.CircuitBreaker.FailureRatio = 0.5;
                o.Introspection.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(700);
            },
            services: s => s.AddHealthChecks().AddTokenAuth());

        var healthy = await CheckAsync(app.Services);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal($"endpoint {authority.IntrospectionEndpoint} (discovered)", healthy.Data["introspection"]);
        Assert.Equal(1, authority.DiscoveryCalls);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(app.Services)).Status);
        Assert.Equal(1, authority.DiscoveryCalls);   // the discovered endpoint is cached: a check costs no request
        Assert.Equal(0, authority.Calls);            // and introspects nothing

        var token = await authority.IssueAsync();
        authority.Fault = IntrospectionAuthority.Answer(500, "{}");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await ResourceServer.StatusAsync(app, token));   // the third turned away
        }

        var paused = await CheckAsync(app.Services);
        Assert.Equal(HealthStatus.Unhealthy, paused.Status);
        Assert.Contains($"introspection: the authorization server at {authority.IntrospectionEndpoint} is failing: introspection is paused until ", paused.Description, StringComparison.Ordinal);

        authority.Fault = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await ResourceServer.StatusAsync(app, token) != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);   // the circuit's break is Polly's, on the real clock
        }

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(app.Services)).Status);
    }

    [Fact]
    public async Task Introspection_MetadataUnreadable_IsUnhealthy_NamingIt()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await ResourceServer.StartAsync(
            authority,
            o =>
            {
                o.Introspection.Endpoint = null;
                o.Introspection.Authority = authority.Issuer;   // which publishes no metadata
            },
            services: s => s.AddHealthChecks().AddTokenAuth(failureStatus: HealthStatus.Degraded, tags: ["ready"]));

        var entry = await CheckAsync(app.Services);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("TokenAuth (TokenAuth) cannot validate tokens: introspection: the authority's metadata cannot be read (IntrospectionDiscoveryException)", entry.Description);
        Assert.Equal(["ready"], entry.Tags);
    }

    [Fact]
    public async Task SigningKeys_Fetched_AreHealthy_StaleOnesAndAnEmptySet_AreNot()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        idp.Publish(new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "key-1" });
        await using var app = await JwtAppAsync(idp, configure: o =>
        {
            o.Jwt.AutomaticRefreshInterval = TimeSpan.FromHours(12);
            o.Jwt.RefreshInterval = TimeSpan.FromMinutes(5);
        });

        var fresh = await CheckAsync(app.Services);
        Assert.Equal(HealthStatus.Healthy, fresh.Status);
        Assert.Equal("1 keys, fetched 0 s ago", fresh.Data["signing keys"]);
        Assert.Equal(1, idp.JwksRequests);

        // Twelve hours and five minutes on, and no refresh has worked: the keys in use may have been rotated away.
        idp.Failing = true;
        app.Time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromMinutes(6));
        var stale = await CheckAsync(app.Services);
        Assert.Equal(HealthStatus.Unhealthy, stale.Status);
        Assert.Equal(
            "TokenAuth (TokenAuth) cannot validate tokens: signing keys: 1 keys fetched 12.1 h ago, longer than their refresh interval (12 h): the authority's key set cannot be fetched",
            stale.Description);
    }

    [Fact]
    public async Task SigningKeys_EmptySet_IsUnhealthy_AndAnAuthorityDownFromTheStart_TooButTheCheckAnswers()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        idp.Publish();
        await using var app = await JwtAppAsync(idp);
        Assert.Equal("signing keys: the authority's key set holds no signing key", Part(await CheckAsync(app.Services)));

        await using var down = await FakeIdentityProvider.StartAsync();
        down.Failing = true;
        await using var other = await JwtAppAsync(down);
        Assert.StartsWith("signing keys: the authority's metadata and keys cannot be fetched (", Part(await CheckAsync(other.Services)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HungAuthority_IsUnhealthyWithinTheTimeout_NamingThePart_NotAGenericTimeout()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        idp.Hang();
        await using var app = await JwtAppAsync(idp, TimeSpan.FromMilliseconds(300));

        var entry = await CheckAsync(app.Services);
        idp.Release();

        Assert.Equal("signing keys: the authority's metadata and keys did not arrive within the health check's timeout", Part(entry));
    }

    [Fact]
    public async Task Registration_NothingWithoutAddTokenAuth_NamesByScheme_OtherSchemeCheckedApart()
    {
        await using var plain = await TestApp.StartAsync(services: s => s.AddHealthChecks());
        Assert.Empty(plain.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);

        await using var app = await TestApp.StartAsync(
            o => o.UseTokenStore = true,
            services: s => s.AddHealthChecks().AddTokenAuth().AddTokenAuth("Other"));
        var registrations = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.Equal(["tokenauth", "tokenauth-Other"], registrations.Select(r => r.Name).ToArray());
        Assert.All(registrations, r => Assert.Equal(TokenAuthHealthCheckExtensions.DefaultTimeout, r.Timeout));
        var report = await ReportAsync(app.Services);
        Assert.Equal("TokenAuth (TokenAuth): token store: in memory", report.Entries["tokenauth"].Description);
        Assert.Equal("TokenAuth (Other): no backend to ask (validated in memory).", report.Entries["tokenauth-Other"].Description);
    }

    /// <summary>A scheme on the provider's keys, with its health check (and the check's timeout, if given).</summary>
    private static Task<TestApp> JwtAppAsync(FakeIdentityProvider idp, TimeSpan? timeout = null, Action<TokenAuthOptions>? configure = null)
        => TestApp.StartAsync(
            o =>
            {
                o.Jwt.Authority = FakeIdentityProvider.Authority;
                o.Jwt.BackchannelHttpHandler = idp.CreateHandler();
                o.Jwt.TokenValidationParameters = new TokenValidationParameters { ValidAudience = "api" };
                configure?.Invoke(o);
            },
            services: s => s.AddHealthChecks().AddTokenAuth(timeout: timeout));

    private static async Task<(HttpStatusCode, string)> HealthzAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/healthz");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Task<HealthReport> ReportAsync(IServiceProvider services) => services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    private static async Task<HealthReportEntry> CheckAsync(IServiceProvider services) => (await ReportAsync(services)).Entries["tokenauth"];

    private static string Part(HealthReportEntry entry)
    {
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        return entry.Description!["TokenAuth (TokenAuth) cannot validate tokens: ".Length..];
    }
}
