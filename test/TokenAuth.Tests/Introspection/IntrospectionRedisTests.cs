using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Introspection.ResourceServer;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// The cache's second level on a real redis-server: shared by nodes, keyed by hash, never outliving the token, and —
/// stopped, restarted or hung — a miss for introspection rather than an outage, while the token store fails closed.
/// </summary>
public sealed class IntrospectionRedisTests
{
    [RedisFact]
    public async Task SecondNode_WithColdMemory_IsAnsweredByRedis_KeyedByHash_NeverPastExpiry()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var first = await StartAsync(authority, services: s => Patient(s, redis));
        await using var second = await StartAsync(authority, services: s => Patient(s, redis));
        // A node whose Redis connection came up late (a loaded machine) resyncs when it does: HybridCache then holds every
        // entry created up to that instant invalid, and on this frozen test clock that instant is "now" for ever. A second
        // call to the authority is only excused by such a resync, and the run is then repeated on a later clock.
        string token;
        for (var attempt = 1; ; attempt++)
        {
            authority.Time.Advance(TimeSpan.FromSeconds(1));
            token = await authority.IssueAsync(new TokenInfo { Subject = "shared-user", ExpiresAt = TestApp.Start.AddMinutes(2) });
            var before = authority.Calls;
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, token));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, token));
            if (authority.Calls - before == 1)
            {
                break;
            }

            Assert.True(
                attempt < 3 && new[] { first, second }.Any(app => app.Logs.Entries.Any(e => e.EventId.Name == "RevocationResync")),
                $"the second node asked the authority again ({authority.Calls - before} calls) without a resync to explain it (attempt {attempt})");
        }

        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + PatientReplies);
        var keys = mux.GetServer(mux.GetEndPoints()[0]).Keys(pattern: "*").Select(k => k.ToString()).ToList();
        var key = "tokenauth:c:introspection:" + TokenHash.Compute(token).Value;
        Assert.Contains(key, keys);
        Assert.All(keys, k => Assert.DoesNotContain(token, k, StringComparison.Ordinal));
        var db = mux.GetDatabase();
        foreach (var stored in keys)
        {
            // RedisCache keeps hashes (the entries, and HybridCache's tag key after a resync); anything else is a string.
            var values = await db.KeyTypeAsync(stored) == RedisType.Hash
                ? (await db.HashGetAllAsync(stored)).Select(e => e.Value.ToString())
                : [(await db.StringGetAsync(stored)).ToString()];
            Assert.All(values, v => Assert.DoesNotContain(token, v, StringComparison.Ordinal));
        }

        Assert.Contains("shared-user", string.Join(' ', (await db.HashGetAllAsync(key)).Select(e => e.Value.ToString())), StringComparison.Ordinal);
        // The default five minutes were shortened to the token's two: Redis drops the entry when the token expires.
        var ttl = await db.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromMinutes(2));
    }

    [RedisFact]
    public async Task RedisStopped_IntrospectionGoesOn_FromMemoryAndTheAuthority_AndRedisIsUsedAgainAfterARestart()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var authority = await IntrospectionAuthority.StartAsync();
        // The fixture's fail-fast connection: a stopped server is refused at once, and the reconnection is quick.
        await using var first = await StartAsync(authority, services: s => s.AddTokenAuthRedisCache(redis.ConnectionString));
        await using var second = await StartAsync(authority, services: s => s.AddTokenAuthRedisCache(redis.ConnectionString));
        var cached = await authority.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, cached));
        Assert.Equal(1, authority.Calls);

        await redis.StopAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, cached));                         // memory
        Assert.Equal(1, authority.Calls);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, await authority.IssueAsync()));   // the authority
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, cached));                        // the authority, for a cold node
        Assert.Equal(3, authority.Calls);

        // Back (empty): once the connections are up again, what one node fetches the other reads from Redis.
        await redis.RestartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var shared = false;
        while (!shared && DateTime.UtcNow < deadline)
        {
            // Time goes on. (The cold node's first look at the cache's tag in Redis failed while it was down, so HybridCache
            // holds whatever was written before that instant invalid; on a frozen test clock that instant would be "now" for ever.)
            authority.Time.Advance(TimeSpan.FromSeconds(1));
            var token = await authority.IssueAsync();
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, token));
            var calls = authority.Calls;
            // No wait: a node stores what it fetched in the second level before it answers.
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, token));
            shared = authority.Calls == calls;
        }

        Assert.True(shared, "the second node never read an entry the first wrote after the restart");
    }

    [RedisFact]
    public async Task HungRedis_IsAMissWithinTheDeadline_NotAStall()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var authority = await IntrospectionAuthority.StartAsync();
        // The client library would wait ten seconds for a reply; the cache's own deadline is 200 ms.
        await using var app = await StartAsync(authority, services: s =>
        {
            s.AddTokenAuthRedisCache(redis.ConnectionString + PatientReplies);
            s.Configure<TokenCacheOptions>(o => o.DistributedCacheTimeout = TimeSpan.FromMilliseconds(200));
        });
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));   // connected

        await redis.PauseAsync();
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, "unknown-while-hung"));
            // Two cold lookups, each a Redis read cut at 200 ms (0.65 s here), where the client alone would wait 10 s each.
            Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(2.5));
            Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "DistributedTokenCacheTimedOut");
        }
        finally
        {
            await redis.ResumeAsync();
        }
    }

    [RedisFact]
    public async Task RedisStoreDown_Is503_AndIsNotIntrospectedInstead_ThenRecovers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.UseTokenStore = true, s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var theirs = await authority.IssueAsync();
        await UntilOkAsync(app, theirs);   // the first connection, on a loaded machine, may take longer than the 1 s replies
        var calls = authority.Calls;

        await redis.StopAsync();
        using var down = await app.Client.SendAsync(TestApp.Get("/protected", await authority.IssueAsync()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.NotNull(down.Headers.RetryAfter);
        Assert.Equal(calls, authority.Calls);

        await redis.RestartAsync();
        await UntilOkAsync(app, await authority.IssueAsync());
    }

    /// <summary>Asks until the token is accepted (a store that is reconnecting answers 503 meanwhile), bounded to 20 s.</summary>
    private static async Task UntilOkAsync(TestApp app, string token)
    {
        var status = HttpStatusCode.ServiceUnavailable;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            status = await StatusAsync(app, token);
            if (status != HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                await Task.Delay(100);
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
    }

    /// <summary>
    /// Replies may take five seconds (the fixture's connection string fails fast, at one): a stopped server still fails at
    /// once (refused), and a loaded machine does not turn a slow reply into a miss these tests would count as a call.
    /// </summary>
    // Patient connects too: a first connection that times out on a loaded machine comes up later and resyncs.
    private const string PatientReplies = ",asyncTimeout=5000,syncTimeout=5000,connectTimeout=5000";

    private static void Patient(IServiceCollection services, RedisServer redis)
    {
        services.AddTokenAuthRedisCache(redis.ConnectionString + PatientReplies);
        services.Configure<TokenCacheOptions>(o => o.DistributedCacheTimeout = TimeSpan.FromSeconds(5));
    }
}
