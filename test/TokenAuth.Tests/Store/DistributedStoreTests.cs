using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Store;

/// <summary>
/// <c>AddTokenAuthDistributedStore</c>: tokens in the host's own <see cref="IDistributedCache"/>, through the pipeline —
/// with <see cref="MemoryDistributedCache"/>, and with a real redis-server behind <c>AddStackExchangeRedisCache</c> where
/// a farm is what is tested. Keys are <see cref="TokenStoreOptions.KeyPrefix"/> + the hex of the token's SHA-256,
/// values <see cref="TokenInfo"/> as JSON (the format every store used before the compact Redis one).
/// </summary>
public sealed class DistributedStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task HostsCache_StoresFindsAndRevokes_ThroughThePipeline()
    {
        await using var app = await StartAsync();
        var token = await app.IssueAsync();
        var cache = app.Services.GetRequiredService<IDistributedCache>();

        var stored = await cache.GetAsync(TokenAuthDefaults.StoreKeyPrefix + TokenHash.Compute(token).Value);
        var found = await app.Client.SendAsync(TestApp.Get("/protected", token));
        await app.Services.GetRequiredService<ITokenRevoker>().RevokeAsync(token);
        var revoked = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.NotNull(stored);
        Assert.Equal("user-1", JsonDocument.Parse(stored).RootElement.GetProperty("subject").GetString());
        Assert.DoesNotContain(token, System.Text.Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Null(await cache.GetAsync(TokenAuthDefaults.StoreKeyPrefix + TokenHash.Compute(token).Value));
    }

    [Fact]
    public async Task HostsCache_UnknownAndExpiredTokens_401()
    {
        await using var app = await StartAsync();
        var token = await app.IssueAsync(new TokenInfo { Subject = "u", ExpiresAt = TestApp.Start.AddMinutes(5) });

        var unknown = await app.Client.SendAsync(TestApp.Get("/protected", "never-issued-token-0123456789"));
        app.Time.Advance(TimeSpan.FromMinutes(5));
        var expired = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task HostsCache_NoRevocationBus_NoMemoryCopyByDefault_AnEntryDeletedIsRefusedAtOnce()
    {
        // Without the Redis revocation bus a memory copy would outlive a revocation made on another node: none is kept.
        await using var app = await StartAsync();
        var token = await app.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);

        await app.Store.RemoveAsync(TokenHash.Compute(token));
        var refused = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task HostsCache_StoreCacheDurationSetByHand_KeepsTheCopy_AnEntryDeletedBehindTheRevokerIsSeenWhenItEnds()
    {
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                o.StoreCacheDuration = TimeSpan.FromSeconds(30);
            },
            s =>
            {
                s.AddDistributedMemoryCache();
                s.AddTokenAuthDistributedStore();
            });
        var token = await app.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);

        await app.Store.RemoveAsync(TokenHash.Compute(token));
        var fromMemory = await app.Client.SendAsync(TestApp.Get("/protected", token));
        app.Time.Advance(TimeSpan.FromSeconds(30));
        var fromStore = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, fromMemory.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, fromStore.StatusCode);
    }

    [Fact]
    public async Task KeyPrefix_IsTheStoresNamespaceInTheHostsCache()
    {
        await using var app = await StartAsync(services: s => s.Configure<TokenStoreOptions>(o => o.KeyPrefix = "app:tokens:"));
        var token = await app.IssueAsync();
        var cache = app.Services.GetRequiredService<IDistributedCache>();

        Assert.NotNull(await cache.GetAsync("app:tokens:" + TokenHash.Compute(token).Value));
        Assert.Null(await cache.GetAsync(TokenAuthDefaults.StoreKeyPrefix + TokenHash.Compute(token).Value));
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);
    }

    [Fact]
    public async Task KeyPrefix_Empty_HostDoesNotStartAndNamesIt()
    {
        // The start-up validator reports every options type that failed: the store's own, and the scheme's, whose validator
        // could not be built without the store.
        var ex = await Assert.ThrowsAsync<AggregateException>(() => StartAsync(services: s => s.Configure<TokenStoreOptions>(o => o.KeyPrefix = "")));

        var failure = Assert.Single(ex.Flatten().InnerExceptions.OfType<OptionsValidationException>().DistinctBy(e => e.OptionsType));
        Assert.Equal(typeof(TokenStoreOptions), failure.OptionsType);
        Assert.Contains("TokenStoreOptions.KeyPrefix must not be empty", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoDistributedCacheRegistered_HostDoesNotStartAndSaysWhatToAdd()
    {
        // TokenAuth's own validation cache is a keyed IDistributedCache: it must not be taken for the host's.
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestApp.StartAsync(services: s => s.AddTokenAuthDistributedStore()));

        Assert.Contains("AddTokenAuthDistributedStore keeps tokens in the host's IDistributedCache, and none is registered", ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullServices_Throws()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => TokenAuthExtensions.AddTokenAuthDistributedStore(null!));

        Assert.Equal("services", ex.ParamName);
    }

    [Fact]
    public async Task CalledBeforeOrAfterAddTokenAuth_ReplacesTheInMemoryDefault()
    {
        // TestApp registers the test's services before AddTokenAuth, whose TryAdd of the in-memory store must not win.
        await using var before = await StartAsync();
        var services = new ServiceCollection().AddLogging().AddDistributedMemoryCache();
        services.AddTokenAuth(o => o.UseTokenStore = true);
        services.AddTokenAuthDistributedStore();
        await using var after = services.BuildServiceProvider();

        Assert.Equal("DistributedCacheTokenStore", before.Store.GetType().Name);
        Assert.Equal("DistributedCacheTokenStore", after.GetRequiredService<ITokenStore>().GetType().Name);
        Assert.Single(services, d => d.ServiceType == typeof(ITokenStore));
    }

    // ---- A real redis-server behind the host's IDistributedCache ---------------------------------------------------

    [RedisFact]
    public async Task Redis_TwoNodes_ShareTokens_AndTheEntryExpiresInRedis()
    {
        var prefix = "dist:" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var a = await StartAsync(RedisCache(prefix));
        await using var b = await StartAsync(RedisCache(prefix));
        // The entry's TTL is the token's time left on the injected clock; Redis's own clock then runs it.
        var token = await a.IssueAsync(new TokenInfo { Subject = "u", ExpiresAt = a.Time.GetUtcNow().AddMinutes(10) });
        var key = prefix + TokenAuthDefaults.StoreKeyPrefix + TokenHash.Compute(token).Value;

        var onB = await b.Client.SendAsync(TestApp.Get("/protected", token));
        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync(key);

        Assert.Equal(HttpStatusCode.OK, onB.StatusCode);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [RedisFact]
    public async Task Redis_NoRevocationBus_RevokedOnOneNode_IsGoneFromRedis_AndRefusedByTheOtherAtOnce()
    {
        // AddTokenAuthDistributedStore has no revocation bus of its own (the bus is in-process unless AddTokenAuthRedisStore
        // or AddTokenAuthRedisCache gives it Redis), so no node keeps a memory copy that could outlive a revocation.
        var prefix = "dist:" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var a = await StartAsync(RedisCache(prefix));
        await using var b = await StartAsync(RedisCache(prefix));
        var token = await a.IssueAsync(new TokenInfo { Subject = "u", ExpiresAt = a.Time.GetUtcNow().AddMinutes(10) });
        Assert.Equal(HttpStatusCode.OK, (await b.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);

        await a.Services.GetRequiredService<ITokenRevoker>().RevokeAsync(token);
        var onA = await a.Client.SendAsync(TestApp.Get("/protected", token));
        var onB = await b.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.False(await redis.Connection.GetDatabase().KeyExistsAsync(prefix + TokenAuthDefaults.StoreKeyPrefix + TokenHash.Compute(token).Value));
        Assert.Equal(HttpStatusCode.Unauthorized, onA.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, onB.StatusCode);
    }

    [RedisFact]
    public async Task Redis_WithTheRedisRevocationBus_RevokedOnOneNode_IsRefusedByTheOther()
    {
        var prefix = "dist:" + Guid.NewGuid().ToString("N")[..8] + ":";
        Action<IServiceCollection> withBus = s =>
        {
            RedisCache(prefix)(s);
            s.AddTokenAuthRedisCache(redis.Server.ConnectionString);
        };
        await using var a = await StartAsync(withBus);
        await using var b = await StartAsync(withBus);
        var token = await a.IssueAsync(new TokenInfo { Subject = "u", ExpiresAt = a.Time.GetUtcNow().AddMinutes(10) });
        Assert.Equal(HttpStatusCode.OK, (await b.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);

        await a.Services.GetRequiredService<ITokenRevoker>().RevokeAsync(token);
        var refused = await PollAsync(() => b.Client.SendAsync(TestApp.Get("/protected", token)), r => r.StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5));

        Assert.True(refused, "node b still accepted the token 5 s after node a revoked it");
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /// <summary>A TestApp whose tokens are in <paramref name="cache"/> (a <see cref="MemoryDistributedCache"/> by default), with <paramref name="services"/> too.</summary>
    private static Task<TestApp> StartAsync(Action<IServiceCollection>? cache = null, Action<IServiceCollection>? services = null)
        => TestApp.StartAsync(services: s =>
        {
            (cache ?? (c => c.AddDistributedMemoryCache()))(s);
            services?.Invoke(s);
            s.AddTokenAuthDistributedStore();
        });

    private Action<IServiceCollection> RedisCache(string instanceName) => s => s.AddStackExchangeRedisCache(o =>
    {
        o.Configuration = redis.Server.ConnectionString;
        o.InstanceName = instanceName;
    });

    /// <summary>Asks again (every 20 ms of real time: the revocation travels through a real Redis) until the answer fits or the deadline passes.</summary>
    private static async Task<bool> PollAsync(Func<Task<HttpResponseMessage>> send, Func<HttpResponseMessage, bool> fits, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (!timeout.IsCancellationRequested)
        {
            if (fits(await send()))
            {
                return true;
            }

            await Task.Delay(20, CancellationToken.None);
        }

        return false;
    }
}
