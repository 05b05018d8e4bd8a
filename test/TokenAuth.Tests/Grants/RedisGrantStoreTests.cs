using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Grants;

/// <summary>
/// The contract against a real redis-server, each "node" with its own connection; plus the key layout, an outage
/// and the registration. TTLs are read from Redis instead of waiting for them.
/// </summary>
public sealed class RedisGrantStoreTests(RedisFixture redis) : GrantStoreContractTests, IClassFixture<RedisFixture>
{
    // Slack between computing a TTL and reading it back with PTTL: real time passes, the fake clock does not.
    private const long SlackMilliseconds = 3_000;

    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12] + ":";

    private IDatabase Db => redis.Connection.GetDatabase();

    protected override IGrantStore CreateNode() => NewStore(redis.Server.ConnectionString, _prefix);

    protected override async Task AssertKeptUntilAsync(TokenHash handle, DateTimeOffset retainUntil)
    {
        Assert.NotNull(await Store.FindAsync(handle));
        await AssertTtlAsync(_prefix + "grant:" + handle.Value, retainUntil);
    }

    protected override Task AssertFamilyKeptUntilAsync(string familyId, DateTimeOffset until)
        => AssertTtlAsync(_prefix + "family:" + familyId + ":members", until);

    protected override async Task AssertRevokedUntilAsync(string familyId, DateTimeOffset until)
    {
        Assert.False(await Store.AddToFamilyAsync(familyId, Access("probe"), until.AddHours(1)));
        await AssertTtlAsync(_prefix + "family:" + familyId + ":revoked", until);
    }

    [RedisFact]
    public async Task Keys_ArePrefixPlusHex_ValuesCompactJsonWithoutTheToken_EveryKeyExpires()
    {
        const string refreshToken = "raw-refresh-token-value-that-must-not-be-stored";
        var handle = TokenHash.Compute(refreshToken);
        var family = "fam-" + Guid.NewGuid().ToString("N");
        await using var store = NewStore(redis.Server.ConnectionString, prefix: null);
        var grant = Grant(family) with { Kind = GrantKind.AuthorizationCode, RedirectUri = "https://client.example/cb" };

        await store.SaveAsync(handle, grant);
        await store.ConsumeAsync(handle, Time.GetUtcNow());
        Assert.True(await store.AddToFamilyAsync(family, new FamilyMember(FamilyMemberKind.Grant, handle), grant.RetainUntil));
        Assert.True(await store.AddToFamilyAsync(family, Access("at"), Time.GetUtcNow().AddHours(1)));
        Assert.True(await store.AddToFamilyAsync(family, Access("at-expired"), Time.GetUtcNow().AddHours(-1)));

        var grantKey = "tokenauth:grant:" + handle.Value;
        var fields = (await Db.HashGetAllAsync(grantKey)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.Equal(["consumed", "record"], fields.Keys.Order());
        var json = fields["record"];
        Assert.StartsWith("{\"kind\":\"AuthorizationCode\",\"familyId\":", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("consumedAt", json, StringComparison.Ordinal);
        Assert.DoesNotContain(" ", json, StringComparison.Ordinal);
        Assert.DoesNotContain(refreshToken, json, StringComparison.Ordinal);
        var members = (await Db.SetMembersAsync("tokenauth:family:" + family + ":members")).Select(m => m.ToString()).Order();
        Assert.Equal(new[] { "a:" + Hash("at").Value, "g:" + handle.Value }.Order(), members);

        Assert.Equal([Hash("at")], await store.RevokeFamilyAsync(family));
        Assert.False(await Db.KeyExistsAsync(grantKey));
        Assert.False(await Db.KeyExistsAsync("tokenauth:family:" + family + ":members"));
        Assert.True(await Db.KeyExistsAsync("tokenauth:family:" + family + ":revoked"));

        // Nothing the store wrote lives forever (PTTL -1).
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var keys = server.Keys(pattern: "tokenauth:*").ToList();
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            Assert.True(await PttlAsync(key) > 0, "a key without expiry");
        }
    }

    [RedisFact]
    public async Task RevokeFamily_CorruptMember_Throws_AndTheFamilyStaysRevoked()
    {
        var family = "corrupt";
        Assert.True(await Store.AddToFamilyAsync(family, Access("at"), Time.GetUtcNow().AddHours(1)));
        await Db.SetAddAsync(_prefix + "family:" + family + ":members", "a:not-a-hash");

        await Assert.ThrowsAsync<FormatException>(() => Store.RevokeFamilyAsync(family));

        Assert.False(await Store.AddToFamilyAsync(family, Access("at-2"), Time.GetUtcNow().AddHours(1)));
    }

    [RedisFact]
    public async Task StoppedRedis_EveryOperationThrowsWithinItsTimeout_AndWorksAgainAfterRestart()
    {
        await using var own = await RedisServer.StartAsync();
        await using var warm = NewStore(own.ConnectionString, _prefix);
        await warm.SaveAsync(Hash("rt"), Grant());
        await own.StopAsync();
        // A store whose first call (and so its lazy connect) comes while Redis is down.
        await using var cold = NewStore(own.ConnectionString, _prefix);

        var operations = new Func<IGrantStore, Task>[]
        {
            s => s.SaveAsync(Hash("rt-2"), Grant()),
            s => s.FindAsync(Hash("rt")),
            s => s.ConsumeAsync(Hash("rt"), Time.GetUtcNow()),
            s => s.AddToFamilyAsync("f", Access("at"), Time.GetUtcNow().AddHours(1)),
            s => s.RevokeFamilyAsync("f"),
        };
        var failures = await Task.WhenAll(new[] { warm, cold }.SelectMany(s => operations.Select(op => TimeFailureAsync(() => op(s)))));

        Assert.All(failures, f =>
        {
            Assert.True(f.Error is RedisException or TimeoutException, $"unexpected {f.Error?.GetType().Name ?? "success"}");
            Assert.InRange(f.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        });

        // The restarted server is empty (no persistence); the connections come back by themselves. Poll, bounded.
        await own.RestartAsync();
        foreach (var store in new[] { warm, cold })
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await store.SaveAsync(Hash("rt"), Grant());
                    break;
                }
                catch (Exception ex) when ((ex is RedisException or TimeoutException) && deadline.Elapsed < TimeSpan.FromSeconds(20))
                {
                    await Task.Delay(100);
                }
            }

            Assert.Null((await store.ConsumeAsync(Hash("rt"), Time.GetUtcNow()))?.ConsumedAt);
            Assert.NotNull((await store.ConsumeAsync(Hash("rt"), Time.GetUtcNow()))?.ConsumedAt);
            Assert.True(await store.AddToFamilyAsync("f-" + store.GetHashCode(), Access("at"), Time.GetUtcNow().AddHours(1)));
            Assert.Equal([Hash("at")], await store.RevokeFamilyAsync("f-" + store.GetHashCode()));
        }
    }

    [RedisFact]
    public async Task AddTokenAuthRedisGrantStore_ReplacesTheInMemoryDefault_CalledBeforeOrAfterTheServer()
    {
        foreach (var first in new[] { true, false })
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(Time);
            if (first)
            {
                services.AddTokenAuthRedisGrantStore(redis.Server.ConnectionString);
            }

            services.AddTokenAuthServer(_ => { });
            if (!first)
            {
                services.AddTokenAuthRedisGrantStore(o =>
                {
                    o.Configuration = redis.Server.ConnectionString;
                    o.KeyPrefix = _prefix + "di:";
                });
            }

            await using var provider = services.BuildServiceProvider();
            var store = provider.GetRequiredService<IGrantStore>();

            Assert.IsType<RedisGrantStore>(store);
            await store.SaveAsync(Hash("rt"), Grant());
            Assert.True(await Db.KeyExistsAsync((first ? "tokenauth:grant:" : _prefix + "di:") + Hash("rt").Value));
        }
    }

    [RedisFact]
    public async Task AddTokenAuthRedisGrantStore_WithoutConfiguration_UsesTheHostsConnection_AndLeavesItOpen()
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        await using (connection)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConnectionMultiplexer>(connection);
            services.AddSingleton<TimeProvider>(Time);
            services.AddTokenAuthRedisGrantStore(o => o.KeyPrefix = _prefix + "host:");
            await using (var provider = services.BuildServiceProvider())
            {
                provider.GetRequiredService<IStartupValidator>().Validate();
                await provider.GetRequiredService<IGrantStore>().SaveAsync(Hash("rt"), Grant());
            }

            Assert.True(connection.IsConnected);
            Assert.True(await connection.GetDatabase().KeyExistsAsync(_prefix + "host:" + Hash("rt").Value));
        }
    }

    [Theory]
    [InlineData(null, "Configuration is required")]
    [InlineData("localhost:6379,noSuchOption=1", "not a valid")]
    [InlineData("abortConnect=false", "names no Redis endpoint")]
    [InlineData("localhost:6379", "KeyPrefix must not be empty", "")]
    [InlineData("localhost:6379", "FamilyKeyPrefix must not be empty", null, "")]
    public void AddTokenAuthRedisGrantStore_BadConfiguration_FailsAtStartUp(string? configuration, string message, string? keyPrefix = null, string? familyKeyPrefix = null)
    {
        var services = new ServiceCollection();
        services.AddTokenAuthRedisGrantStore(o =>
        {
            o.Configuration = configuration;
            o.KeyPrefix = keyPrefix ?? o.KeyPrefix;
            o.FamilyKeyPrefix = familyKeyPrefix ?? o.FamilyKeyPrefix;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private RedisGrantStore NewStore(string configuration, string? prefix)
    {
        var options = new RedisGrantStoreOptions { Configuration = configuration };
        if (prefix is not null)
        {
            options.KeyPrefix = prefix + "grant:";
            options.FamilyKeyPrefix = prefix + "family:";
        }

        return new RedisGrantStore(Options.Create(options), Time);
    }

    private async Task<long> PttlAsync(RedisKey key) => (long)await Db.ExecuteAsync("PTTL", key);

    private async Task AssertTtlAsync(string key, DateTimeOffset until)
    {
        var expected = (long)Math.Ceiling((until - Time.GetUtcNow()).TotalMilliseconds);
        Assert.InRange(await PttlAsync(key), expected - SlackMilliseconds, expected);
    }

    private static async Task<(Exception? Error, TimeSpan Elapsed)> TimeFailureAsync(Func<Task> operation)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await operation();
            return (null, watch.Elapsed);
        }
        catch (Exception ex)
        {
            return (ex, watch.Elapsed);
        }
    }
}
