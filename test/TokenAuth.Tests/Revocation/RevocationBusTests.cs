using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Revocation;

/// <summary>Revocation messages: their wire form, the in-process bus, and the Redis bus between nodes of a farm.</summary>
public sealed class RevocationBusTests
{
    private static readonly TokenHash Hash = TokenHash.Compute("a token");

    /// <summary>A node: its services, with a listener that records what it was told.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private Node(ServiceProvider services) => Services = services;

        public ServiceProvider Services { get; }

        public Recorder Heard => Services.GetServices<IRevocationListener>().OfType<Recorder>().Single();

        public IRevocationBus Bus => Services.GetRequiredService<IRevocationBus>();

        public static async Task<Node> StartAsync(RedisServer? redis = null)
        {
            var services = new ServiceCollection().AddLogging();
            services.AddSingleton<IRevocationListener, Recorder>();
            if (redis is not null)
            {
                services.AddTokenAuthRedisStore(redis.ConnectionString);
            }

            services.AddTokenAuth(o => o.UseTokenStore = true);
            var provider = services.BuildServiceProvider();
            foreach (var hosted in provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }

            return new Node(provider);
        }

        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }

    private sealed class Recorder : IRevocationListener
    {
        public ConcurrentQueue<RevocationMessage> Messages { get; } = new();

        public ValueTask OnRevokedAsync(RevocationMessage message)
        {
            Messages.Enqueue(message);
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<TimeSpan> WaitForAsync(Func<bool> condition, TimeSpan bound)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < bound, $"not within {bound.TotalSeconds} s");
            await Task.Delay(10);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    [Theory]
    [InlineData("*", "Everything", null)]
    [InlineData("n:t-100", "Tenant", "t-100")]
    [InlineData("n:", "Tenant", null)]
    [InlineData("u:1001", "User", "1001")]
    [InlineData("u:", "User", null)]
    public void Decode_WireForms_RoundTrip(string wire, string scope, string? key)
    {
        var message = RevocationMessage.Decode(wire);

        Assert.Equal(new RevocationMessage(Enum.Parse<RevocationScope>(scope), key), message);
        Assert.Equal(wire, message!.Value.Encode());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("t")]
    [InlineData("t:short")]
    [InlineData("x:1")]
    [InlineData("t-0123")]
    public void Decode_Noise_IsNull(string? wire) => Assert.Null(RevocationMessage.Decode(wire));

    [Fact]
    public void Token_EncodesTheHashOnly()
    {
        var wire = RevocationMessage.Token(Hash).Encode();

        Assert.Equal("t:" + Hash.Value, wire);
        Assert.Equal(RevocationMessage.Token(Hash), RevocationMessage.Decode(wire));
    }

    [Fact]
    public async Task Revoker_WithoutRedis_RemovesTheTokenAndTellsThisNode()
    {
        await using var node = await Node.StartAsync();
        var store = node.Services.GetRequiredService<ITokenStore>();
        await store.SaveAsync(Hash, new TokenInfo { Subject = "s", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });

        await node.Services.GetRequiredService<ITokenRevoker>().RevokeAsync("a token");
        await node.Services.GetRequiredService<ITokenRevoker>().ForgetTenantAsync("t-100");

        Assert.IsType<LocalRevocationBus>(node.Bus);
        Assert.Null(await store.FindAsync(Hash));
        Assert.Equal([RevocationMessage.Token(Hash), new RevocationMessage(RevocationScope.Tenant, "t-100")], node.Heard.Messages);
    }

    [RedisFact]
    public async Task RedisBus_MessageFromOneNode_ReachesTheOtherWithinASecond_AndItsSenderOnce()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await Node.StartAsync(redis);
        await using var b = await Node.StartAsync(redis);

        await a.Services.GetRequiredService<ITokenRevoker>().RevokeAsync(Hash);

        var elapsed = await WaitForAsync(() => b.Heard.Messages.Contains(RevocationMessage.Token(Hash)), TimeSpan.FromSeconds(1));
        Assert.Equal([RevocationMessage.Token(Hash)], a.Heard.Messages);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"{elapsed.TotalMilliseconds} ms");
        await Task.Delay(100);
        Assert.Equal([RevocationMessage.Token(Hash)], b.Heard.Messages);
        Assert.IsType<RedisRevocationBus>(a.Bus);
    }

    [RedisFact]
    public async Task RedisBus_AfterRedisComesBack_EveryNodeForgetsEverythingLocal()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await Node.StartAsync(redis);

        await redis.StopAsync();
        await redis.RestartAsync();

        await WaitForAsync(() => node.Heard.Messages.Contains(RevocationMessage.Everything), TimeSpan.FromSeconds(20));
        // And messages flow again, once the client has subscribed anew (it does so on its own, just after reconnecting).
        await using var other = await Node.StartAsync(redis);
        var message = new RevocationMessage(RevocationScope.User, "1001");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!node.Heard.Messages.Contains(message))
        {
            Assert.True(DateTime.UtcNow < deadline, "the reconnected node never heard from the other again");
            await other.Bus.PublishAsync(message, CancellationToken.None);
            await Task.Delay(100);
        }
    }

    [RedisFact]
    public async Task RedisBus_RedisDown_PublishThrows_AfterTellingThisNode()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await Node.StartAsync(redis);
        await redis.StopAsync();

        await Assert.ThrowsAnyAsync<RedisException>(() => node.Bus.PublishAsync(RevocationMessage.Token(Hash), CancellationToken.None));

        Assert.Contains(RevocationMessage.Token(Hash), node.Heard.Messages);
    }

    [RedisFact]
    public async Task ForgetTenantAndUser_OnOneNode_EvictTheOtherNodesLookupCache()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await Node.StartAsync(redis);
        await using var b = await Node.StartAsync(redis);
        var cache = b.Services.GetRequiredService<ImpersonationCache>();
        cache.Tenants.Set(new ImpersonationCache.TenantKey(ByCode: true, "acme"), new TenantInfo("t-100", "acme"), TimeSpan.FromMinutes(1), cache.Tenants.Generation);
        cache.Tenants.Set(new ImpersonationCache.TenantKey(ByCode: false, "t-200"), new TenantInfo("t-200", "globex"), TimeSpan.FromMinutes(1), cache.Tenants.Generation);
        cache.Users.Set(new ImpersonationCache.UserKey(SudoKind.Uid, "1001", null), new SudoUser { Id = "1001" }, TimeSpan.FromMinutes(1), cache.Users.Generation);
        var revoker = a.Services.GetRequiredService<ITokenRevoker>();

        await revoker.ForgetTenantAsync("t-100");
        await WaitForAsync(() => cache.Tenants.Count == 1, TimeSpan.FromSeconds(1));
        await revoker.ForgetUserAsync("1001");
        await WaitForAsync(() => cache.Users.Count == 0, TimeSpan.FromSeconds(1));

        // The other tenant stayed; "every tenant" empties the cache.
        Assert.True(cache.Tenants.TryGet(new ImpersonationCache.TenantKey(ByCode: false, "t-200"), TimeSpan.FromMinutes(1), out _));
        await revoker.ForgetTenantAsync(null);
        await WaitForAsync(() => cache.Tenants.Count == 0, TimeSpan.FromSeconds(1));
    }
}
