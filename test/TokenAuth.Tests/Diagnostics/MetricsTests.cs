using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Moq;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Diagnostics;

/// <summary>The <c>TokenAuth</c> meter, read with <see cref="MetricCollector{T}"/> from the app's own meter factory.</summary>
public sealed class MetricsTests
{
    internal static MetricCollector<T> Collect<T>(TestApp app, string instrument)
        where T : struct
        => new(app.Services.GetRequiredService<IMeterFactory>(), TokenAuthMetrics.Name, instrument);

    internal static Dictionary<string, long> ByTags(MetricCollector<long> collector, params string[] tags)
        => collector.GetMeasurementSnapshot()
            .GroupBy(m => string.Join("/", tags.Select(t => m.Tags[t]?.ToString())))
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));

    [Fact]
    public async Task Authentications_CountedByResultAndSource_WithTheirDuration()
    {
        await using var app = await TestApp.StartAsync();
        using var count = Collect<long>(app, "tokenauth.authentication.count");
        using var duration = Collect<double>(app, "tokenauth.authentication.duration");
        var token = await app.IssueAsync();

        await app.Client.SendAsync(TestApp.Get("/protected", token));
        await app.Client.GetAsync("/protected?access_token=" + token);
        await app.Client.SendAsync(TestApp.Get("/protected", "unknown-token"));
        await app.Client.GetAsync("/protected");
        using var twoTokens = TestApp.Get("/protected?access_token=other", token);
        await app.Client.SendAsync(twoTokens);

        Assert.Equal(
            new Dictionary<string, long>
            {
                ["success/authorization_header"] = 1,
                ["success/query"] = 1,
                ["invalid_token/authorization_header"] = 1,
                ["none/none"] = 1,
                ["invalid_request/none"] = 1,
            },
            ByTags(count, "tokenauth.result", "tokenauth.token.source"));
        Assert.Equal(5, duration.GetMeasurementSnapshot().Count);
        Assert.All(duration.GetMeasurementSnapshot(), m => Assert.InRange(m.Value, 0, 5));
    }

    [Fact]
    public async Task Authentications_StoreDown_CountedUnavailable()
    {
        var store = new Mock<ITokenStore>();
        store.Setup(s => s.FindAsync(It.IsAny<TokenHash>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException());
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton(store.Object));
        using var count = Collect<long>(app, "tokenauth.authentication.count");

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", "any"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(new Dictionary<string, long> { ["unavailable"] = 1 }, ByTags(count, "tokenauth.result"));
    }

    [Fact]
    public async Task Revocations_CountedByScope()
    {
        await using var app = await TestApp.StartAsync();
        using var count = Collect<long>(app, "tokenauth.revocation.count");
        var revoker = app.Services.GetRequiredService<ITokenRevoker>();

        await revoker.RevokeAsync(await app.IssueAsync());
        await revoker.ForgetTenantAsync("t-100");
        await revoker.ForgetUserAsync(null);

        Assert.Equal(new Dictionary<string, long> { ["token"] = 1, ["tenant"] = 1, ["user"] = 1 }, ByTags(count, "tokenauth.revocation.scope"));
    }

    [RedisFact]
    public async Task CacheLookups_ByLevel_MissThenL1_AndL2OnANodeWhoseMemoryIsCold()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var authority = await Introspection.IntrospectionAuthority.StartAsync();
        void Redis(IServiceCollection s)
        {
            // Patient connects too: a first connection that times out on a loaded machine comes up later and resyncs.
            s.AddTokenAuthRedisCache(redis.ConnectionString + ",asyncTimeout=5000,syncTimeout=5000,connectTimeout=5000");
            s.Configure<TokenCacheOptions>(o => o.DistributedCacheTimeout = TimeSpan.FromSeconds(5));
        }

        await using var first = await Introspection.ResourceServer.StartAsync(authority, services: Redis);
        await using var second = await Introspection.ResourceServer.StartAsync(authority, services: Redis);
        using var firstLookups = Collect<long>(first, "tokenauth.cache.lookup.count");
        using var secondLookups = Collect<long>(second, "tokenauth.cache.lookup.count");
        using var calls = Collect<double>(first, "tokenauth.backend.call.duration");
        // A resync while the nodes started invalidates (by HybridCache's tag) every entry created up to that instant; on
        // the frozen test clock that would be every entry of this test. One second on, entries are newer than it.
        authority.Time.Advance(TimeSpan.FromSeconds(1));
        var token = await authority.IssueAsync();

        await first.Client.SendAsync(TestApp.Get("/protected", token));
        await first.Client.SendAsync(TestApp.Get("/protected", token));
        await second.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(new Dictionary<string, long> { ["introspection/miss"] = 1, ["introspection/l1"] = 1 }, ByTags(firstLookups, "tokenauth.cache.kind", "tokenauth.cache.level"));
        Assert.Equal(new Dictionary<string, long> { ["introspection/l2"] = 1 }, ByTags(secondLookups, "tokenauth.cache.kind", "tokenauth.cache.level"));
        var call = Assert.Single(calls.GetMeasurementSnapshot());
        Assert.Equal("introspection", call.Tags["tokenauth.backend"]);
        Assert.Equal("success", call.Tags["tokenauth.backend.outcome"]);
        Assert.Equal(1, authority.Calls);
    }

    [Fact]
    public async Task BackendCalls_StoreLookups_TimedWithTheirOutcome_AndTracedWhenListened()
    {
        var activities = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == TokenAuthMetrics.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                lock (activities)
                {
                    activities.Add(activity);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync();
        using var calls = Collect<double>(app, "tokenauth.backend.call.duration");
        var token = await app.IssueAsync();
        using var request = TestApp.Get("/protected", token);
        request.Headers.Add("X-Marker", "metrics-test");

        await app.Client.SendAsync(request);

        var call = Assert.Single(calls.GetMeasurementSnapshot());
        Assert.Equal("token_store", call.Tags["tokenauth.backend"]);
        Assert.Equal("success", call.Tags["tokenauth.backend.outcome"]);
        lock (activities)
        {
            Assert.Contains(activities, a => a.DisplayName == "TokenAuth token store" && (string?)a.GetTagItem("tokenauth.backend.outcome") == "success");
        }
    }

    [Fact]
    public async Task Impersonation_SudoAndTenantUses_CountedByOutcome()
    {
        await using var app = await TestApp.StartAsync(services: Impersonation.SudoEndpoints.Stores);
        using var count = Collect<long>(app, "tokenauth.impersonation.count");
        var sudo = await app.IssueAsync(new TokenInfo { Subject = "admin", ClientId = "c", Scopes = ["read", "sudo"] });
        var plain = await app.IssueAsync();

        await app.Client.SendAsync(TestApp.Get("/protected?sudo=uid:" + "1002", sudo));
        await app.Client.SendAsync(TestApp.Get("/protected?sudo=uid:nobody", sudo));
        await app.Client.SendAsync(TestApp.Get("/protected?sudo=uid:" + "1002", plain));
        await app.Client.SendAsync(TestApp.Get("/protected?sudo=phone:1", sudo));
        await app.Client.SendAsync(TestApp.Get("/protected?tenantId=" + "t-100", sudo));
        await app.Client.SendAsync(TestApp.Get("/protected", plain));

        Assert.Equal(
            new Dictionary<string, long>
            {
                ["sudo/success"] = 1, ["sudo/not_found"] = 1, ["sudo/denied"] = 1, ["sudo/invalid_request"] = 1, ["tenant/success"] = 1,
            },
            ByTags(count, "tokenauth.impersonation.kind", "tokenauth.result"));
    }
}
