using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Store;

public class RedisTokenStoreTests
{
    [RedisFact]
    public async Task RedisStore_KeyIsPrefixAndBase64UrlHash_ValueACompactString_NeitherHoldsTheToken()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var info = new TokenInfo { Subject = "u", Scopes = ["read"], IssuedAt = TestApp.Start, ExpiresAt = TestApp.Start.AddMinutes(10) };
        var token = await app.IssueAsync(info);

        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        var key = Assert.Single(server.Keys(pattern: "*"));
        Assert.Equal(CompactKey(token), key.ToString());
        Assert.Equal(TokenAuthDefaults.StoreKeyPrefix.Length + 43, ((byte[])key!).Length);
        var db = mux.GetDatabase();
        Assert.Equal(RedisType.String, await db.KeyTypeAsync(key));
        var value = (byte[])(await db.StringGetAsync(key))!;
        Assert.Equal(CompactTokenInfoSerializer.Serialize(info), value);
        foreach (var bytes in new[] { (byte[])key!, value })
        {
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(token)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(TokenHash.Compute(token).Prefix)));
        }
    }

    [RedisFact]
    public async Task RedisStore_Ttl_IsTheTimeLeftToExpiry_OnTheInjectedClock()
    {
        await using var redis = await RedisServer.StartAsync();
        // The app's clock is 2026-01-01, far from the real one: an absolute expiry would be years off, a relative one is not.
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var expiresAt = app.Time.GetUtcNow().AddMinutes(10).AddTicks(2_507_000);   // 10 min 250.7 ms from now

        var first = await app.IssueAsync(new TokenInfo { Subject = "u", ExpiresAt = expiresAt });
        var firstTtl = await PttlAsync(mux, CompactKey(first));
        app.Time.Advance(TimeSpan.FromMinutes(9));
        var second = await app.IssueAsync(new TokenInfo { Subject = "u", ExpiresAt = expiresAt });
        var secondTtl = await PttlAsync(mux, CompactKey(second));

        // Whole milliseconds, rounded down; what Redis has counted since (real time) is well under the 5 s allowed.
        Assert.InRange(firstTtl, 600_250 - 5_000, 600_250);
        Assert.InRange(secondTtl, 60_250 - 5_000, 60_250);
    }

    [RedisFact]
    public async Task RedisStore_ExpiredToken_IsNotWritten_AndWhatWasSavedUnderItsHashIsGone()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var now = app.Time.GetUtcNow();
        var live = TokenHash.Compute("live then expired");
        await app.Store.SaveAsync(live, new TokenInfo { Subject = "u", ExpiresAt = now.AddHours(1) });
        Assert.NotNull(await app.Store.FindAsync(live));

        await app.Store.SaveAsync(live, new TokenInfo { Subject = "u", ExpiresAt = now });
        await app.Store.SaveAsync(TokenHash.Compute("past"), new TokenInfo { Subject = "u", ExpiresAt = now.AddSeconds(-1) });
        await app.Store.SaveAsync(TokenHash.Compute("under a millisecond"), new TokenInfo { Subject = "u", ExpiresAt = now.AddTicks(9_999) });

        Assert.Null(await app.Store.FindAsync(live));
        Assert.Empty(mux.GetServer(mux.GetEndPoints()[0]).Keys(pattern: "*"));
    }

    [RedisFact]
    public async Task RedisStore_LegacyEntry_IsFoundThroughThePipeline_AndRevocationRemovesIt()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var token = LegacyToken;
        var hash = TokenHash.Compute(token);
        var info = new TokenInfo
        {
            Subject = "user-1", Name = "Ada", ClientId = "client-1", Scopes = ["read", "write"], Roles = ["admin"], TenantId = "t-100",
            IssuedAt = app.Time.GetUtcNow().AddTicks(-1), ExpiresAt = app.Time.GetUtcNow().AddHours(1).AddTicks(1), Claims = [new("dept", "R&D")],
        };
        using (var legacy = LegacyStore(redis, app.Time))
        {
            await legacy.SaveAsync(hash, info);
        }

        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = mux.GetDatabase();
        var legacyKey = TokenAuthDefaults.StoreKeyPrefix + hash.Value;
        // The old format indeed: RedisCache's hash, the JSON in its data field.
        Assert.NotNull((string?)await db.HashGetAsync(legacyKey, "data"));

        var found = await app.Store.FindAsync(hash);
        var ok = await app.Client.SendAsync(TestApp.Get("/protected", token));
        await app.Services.GetRequiredService<ITokenRevoker>().RevokeAsync(token);
        var revoked = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.NotNull(found);
        Assert.Equal(Describe(info), Describe(found));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("\"sub\":\"user-1\"", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.False(await db.KeyExistsAsync(legacyKey));
        Assert.Null(await app.Store.FindAsync(hash));
    }

    [RedisFact]
    public async Task RedisStore_SavedAgainAfterTheUpgrade_TheLegacyEntryIsGone_SoItCannotOutliveTheNewOne()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var hash = TokenHash.Compute("re-saved");
        using (var legacy = LegacyStore(redis, app.Time))
        {
            await legacy.SaveAsync(hash, new TokenInfo { Subject = "old", ExpiresAt = app.Time.GetUtcNow().AddHours(12) });
        }

        await app.Store.SaveAsync(hash, new TokenInfo { Subject = "new", ExpiresAt = app.Time.GetUtcNow().AddMinutes(5) });

        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.Equal("new", (await app.Store.FindAsync(hash))?.Subject);
        Assert.False(await mux.GetDatabase().KeyExistsAsync(TokenAuthDefaults.StoreKeyPrefix + hash.Value));
    }

    [RedisFact]
    public async Task RedisStore_ReadLegacyEntriesOff_LegacyEntriesAreUnknown_NewOnesWork()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString).Configure<TokenStoreOptions>(o => o.ReadLegacyEntries = false));
        var old = LegacyToken;
        using (var legacy = LegacyStore(redis, app.Time))
        {
            await legacy.SaveAsync(TokenHash.Compute(old), new TokenInfo { Subject = "old", ExpiresAt = app.Time.GetUtcNow().AddHours(1) });
        }

        var fresh = await app.IssueAsync();

        // The entry is there and well-formed (the test above reads the same one with the option on): it is the option
        // that makes it unknown, not a missing key or a token the shape guard turns away.
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.NotNull((string?)await mux.GetDatabase().HashGetAsync(TokenAuthDefaults.StoreKeyPrefix + TokenHash.Compute(old).Value, "data"));
        Assert.Null(await app.Store.FindAsync(TokenHash.Compute(old)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(TestApp.Get("/protected", old))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", fresh))).StatusCode);
    }

    [RedisFact]
    public async Task RedisStore_InstanceNameAndKeyPrefix_GoBeforeTheNewKeyAndTheLegacyOne()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s
            .AddTokenAuthRedisStore(o => { o.Configuration = redis.ConnectionString; o.InstanceName = "app1:"; })
            .Configure<TokenStoreOptions>(o => o.KeyPrefix = "t:"));
        var old = LegacyToken;
        using (var legacy = LegacyStore(redis, app.Time, instanceName: "app1:", keyPrefix: "t:"))
        {
            await legacy.SaveAsync(TokenHash.Compute(old), new TokenInfo { Subject = "old", ExpiresAt = app.Time.GetUtcNow().AddHours(1) });
        }

        var fresh = await app.IssueAsync();

        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = mux.GetServer(mux.GetEndPoints()[0]).Keys(pattern: "*").Select(k => k.ToString()).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { CompactKey(fresh, "app1:t:"), "app1:t:" + TokenHash.Compute(old).Value }.Order(StringComparer.Ordinal), keys);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", old))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", fresh))).StatusCode);
    }

    [RedisFact]
    public async Task RedisStore_RepresentativeToken_TakesAtMost200BytesOfRedisMemory()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var typical = CompactTokenInfoSerializerTests.Representative(now: app.Time.GetUtcNow());
        var withNameAndTenant = typical with { Name = "Ada Lovelace", TenantId = "t-100" };

        var usage = new List<long>();
        foreach (var info in new[] { typical, withNameAndTenant })
        {
            var token = await app.IssueAsync(info);
            usage.Add((long)await mux.GetDatabase().ExecuteAsync("MEMORY", "USAGE", CompactKey(token), "SAMPLES", "0"));
        }

        // The budget of the scale issue: 100 M live tokens in 20 GB. The previous format took 584 for the first (redis-bytes).
        Assert.All(usage, bytes => Assert.InRange(bytes, 1, 200));
    }

    [RedisFact]
    public async Task RedisStore_AndTheRevocationBus_ShareOneConnection()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var token = await app.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);
        await app.Services.GetRequiredService<ITokenRevoker>().RevokeAsync(token);

        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",name=inspector,allowAdmin=true");
        var clients = (await mux.GetServer(mux.GetEndPoints()[0]).ClientListAsync()).Where(c => c.Name != "inspector").ToList();

        // Each StackExchange.Redis connection opens two sockets (commands, subscriptions): one for the store and the bus,
        // one for the validation cache's second level (RedisCache, which closes whatever connection it holds). Three before.
        Assert.Equal(4, clients.Count);
        Assert.Single(clients, c => c.SubscriptionCount == 2);   // the revocation channel beside StackExchange.Redis's own
    }

    [RedisFact]
    public async Task RedisStore_RedisHungOrDown_CallsThrow_AndNeitherExceptionsNorLogsNameTheKey()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(o => { o.UseTokenStore = true; o.StoreCacheDuration = TimeSpan.Zero; }, services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var token = await app.IssueAsync();
        var hash = TokenHash.Compute(token);
        var exceptions = new List<Exception>();

        redis.Pause();
        try
        {
            exceptions.Add(await Assert.ThrowsAnyAsync<Exception>(() => app.Store.FindAsync(hash)));
            exceptions.Add(await Assert.ThrowsAnyAsync<Exception>(() => app.Store.SaveAsync(hash, new TokenInfo { ExpiresAt = app.Time.GetUtcNow().AddHours(1) })));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);
        }
        finally
        {
            redis.Resume();
        }

        await redis.StopAsync();
        exceptions.Add(await Assert.ThrowsAnyAsync<Exception>(() => app.Store.RemoveAsync(hash)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);

        Assert.All(exceptions, e => Assert.True(e is RedisException or TimeoutException, e.GetType().Name));
        var text = string.Join('\n', exceptions.Select(e => e.ToString())) + app.Logs.AllText;
        Assert.Contains(hash.Prefix, app.Logs.AllText, StringComparison.Ordinal);
        foreach (var secret in new[] { token, hash.Value, CompactKey(token), CompactKey(token)[TokenAuthDefaults.StoreKeyPrefix.Length..] })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [RedisFact]
    public async Task RedisStore_ValidAndRevokedTokens_ThroughThePipeline()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var token = await app.IssueAsync();

        var ok = await app.Client.SendAsync(TestApp.Get("/protected", token));
        await app.Services.GetRequiredService<ITokenRevoker>().RevokeAsync(token);
        var revoked = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [RedisFact]
    public async Task RedisStore_HitsKeptInMemoryForStoreCacheDuration_SoAnEntryDeletedBehindTokenAuthsBackLivesThatLong()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var token = await app.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);

        // Deleted in Redis directly, not through ITokenRevoker: this node's memory copy answers until it ends (30 s).
        await app.Store.RemoveAsync(TokenHash.Compute(token));
        var fromMemory = await app.Client.SendAsync(TestApp.Get("/protected", token));
        app.Time.Advance(TimeSpan.FromSeconds(30));
        var afterwards = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, fromMemory.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
    }

    [RedisFact]
    public async Task RedisStore_Down_ATokenSeenInTheLast30Seconds_StillAnswers_AnUnseenOneIs503()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var seen = await app.IssueAsync();
        var unseen = await app.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", seen))).StatusCode);

        await redis.StopAsync();

        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", seen))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.Client.SendAsync(TestApp.Get("/protected", unseen))).StatusCode);
        app.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.Client.SendAsync(TestApp.Get("/protected", seen))).StatusCode);
    }

    [RedisFact]
    public async Task RedisStopped_503WithRetryAfter_RecoversAfterRestart()
    {
        await using var redis = await RedisServer.StartAsync();
        // The store path itself, without the memory copy of its hits.
        await using var app = await TestApp.StartAsync(o => { o.UseTokenStore = true; o.StoreCacheDuration = TimeSpan.Zero; }, services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var token = await app.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);

        await redis.StopAsync();
        var down = await app.Client.SendAsync(TestApp.Get("/protected", token));
        var downAgain = await app.Client.SendAsync(TestApp.Get("/protected", "another-token"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.NotNull(down.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, downAgain.StatusCode);

        // The restarted server is empty (no persistence): the token is issued again, as a client would
        // re-authenticate. The multiplexer reconnects in the background, so poll, bounded to 20 s.
        await redis.RestartAsync();
        var status = HttpStatusCode.ServiceUnavailable;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            try
            {
                await app.Store.SaveAsync(TokenHash.Compute(token), new TokenInfo { Subject = "user-1", ExpiresAt = app.Time.GetUtcNow().AddHours(1) });
                status = (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // RedisTimeoutException is a TimeoutException, not a RedisException: a loaded machine answers late.
                await Task.Delay(100);
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(TestApp.Get("/protected", "another-token"))).StatusCode);
    }

    /// <summary>A token issued before the upgrade, by the previous store (a well-formed one: the shape guard lets it through).</summary>
    private const string LegacyToken = "IssuedBeforeTheUpgrade-0123456789abcdef";

    /// <summary>The key the store should use, computed here independently: prefix + base64url of the SHA-256.</summary>
    internal static string CompactKey(string token, string prefix = TokenAuthDefaults.StoreKeyPrefix)
        => prefix + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The store of the previous versions, as <c>AddTokenAuthRedisStore</c> registered it: over a RedisCache.</summary>
    private static DistributedCacheTokenStore LegacyStore(RedisServer redis, TimeProvider time, string? instanceName = null, string keyPrefix = TokenAuthDefaults.StoreKeyPrefix)
        => new(
            new RedisCache(Options.Create(new RedisCacheOptions { Configuration = redis.ConnectionString, InstanceName = instanceName })),
            Options.Create(new TokenStoreOptions { KeyPrefix = keyPrefix }),
            time,
            ownsCache: true);

    private static async Task<long> PttlAsync(ConnectionMultiplexer mux, string key)
        => (long)await mux.GetDatabase().ExecuteAsync("PTTL", key);

    private static string Describe(TokenInfo info) => string.Join(
        '|',
        info.Subject, info.Name, info.ClientId, info.TenantId, string.Join(' ', info.Scopes), string.Join(' ', info.Roles),
        string.Join(' ', info.Claims.Select(c => c.Type + "=" + c.Value)), info.IssuedAt?.UtcTicks, info.NotBefore?.UtcTicks, info.ExpiresAt?.UtcTicks);
}
