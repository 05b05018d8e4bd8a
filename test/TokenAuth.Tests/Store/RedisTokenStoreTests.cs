using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Store;

public class RedisTokenStoreTests
{
    [RedisFact]
    public async Task RedisStore_KeysByPrefixAndHash_StoresNoRawToken_ExpiresWithToken()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(services: s => s.AddTokenAuthRedisStore(redis.ConnectionString));
        var token = await app.IssueAsync(new TokenInfo { Subject = "u", Scopes = ["read"], ExpiresAt = TestApp.Start.AddMinutes(10) });

        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        var keys = server.Keys(pattern: "*").Select(k => k.ToString()).ToList();
        var key = Assert.Single(keys);
        Assert.Equal(TokenAuthDefaults.StoreKeyPrefix + TokenHash.Compute(token).Value, key);
        var db = mux.GetDatabase();
        var dump = string.Join(' ', (await db.HashGetAllAsync(key)).Select(e => e.Value.ToString()));
        Assert.Contains("\"subject\":\"u\"", dump, StringComparison.Ordinal);
        Assert.DoesNotContain(token, dump, StringComparison.Ordinal);
        var ttl = await db.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value.TotalMinutes, 9, 10);
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
}
