using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Resilience;

/// <summary>The options of deadlines, circuits, caches and the key refresh; and the Redis store's connection defaults.</summary>
public sealed class BackendOptionsTests
{
    public static TheoryData<string, Action<TokenAuthOptions>> BadOptions => new()
    {
        { "BackendTimeout", o => o.BackendTimeout = TimeSpan.Zero },
        { "BackendTimeout", o => o.BackendTimeout = TimeSpan.FromSeconds(-3) },
        { "CircuitBreaker.FailureThreshold", o => o.CircuitBreaker.FailureThreshold = 0 },
        { "CircuitBreaker.BreakDuration", o => o.CircuitBreaker.BreakDuration = TimeSpan.Zero },
        { "CircuitBreaker.FailureWindow", o => o.CircuitBreaker.FailureWindow = TimeSpan.Zero },
        { "Sudo.CacheDuration", o => o.Sudo.CacheDuration = TimeSpan.FromSeconds(-1) },
        { "Tenants.CacheDuration", o => o.Tenants.CacheDuration = TimeSpan.FromSeconds(-1) },
        { "Jwt.KeyRefreshTimeout", o => o.Jwt.KeyRefreshTimeout = TimeSpan.Zero },
    };

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new TokenAuthOptions();

        Assert.Equal(TimeSpan.FromSeconds(2), options.BackendTimeout);
        Assert.True(options.CircuitBreaker.Enabled);
        Assert.Equal(5, options.CircuitBreaker.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(10), options.CircuitBreaker.FailureWindow);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CircuitBreaker.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Tenants.CacheDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Sudo.CacheDuration);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Jwt.KeyRefreshTimeout);
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Startup_BadOption_HostDoesNotStartAndNamesIt(string property, Action<TokenAuthOptions> configure)
    {
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            configure(o);
        }));

        Assert.Contains(property, ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_ZeroCacheDurationsAndInfiniteTimeouts_Start()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.BackendTimeout = Timeout.InfiniteTimeSpan;
            o.Jwt.KeyRefreshTimeout = Timeout.InfiniteTimeSpan;
            o.Sudo.CacheDuration = TimeSpan.Zero;
            o.Tenants.CacheDuration = TimeSpan.Zero;
        });

        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", await app.IssueAsync()))).StatusCode);
    }

    [Fact]
    public async Task Configuration_BindsBackendTimeoutCircuitAndKeyRefresh()
    {
        await using var app = await TestApp.StartAsync(
            configure: _ => { },
            host: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authentication:Schemes:TokenAuth:UseTokenStore"] = "true",
                ["Authentication:Schemes:TokenAuth:BackendTimeout"] = "00:00:00.750",
                ["Authentication:Schemes:TokenAuth:CircuitBreaker:FailureThreshold"] = "3",
                ["Authentication:Schemes:TokenAuth:CircuitBreaker:BreakDuration"] = "00:00:30",
                ["Authentication:Schemes:TokenAuth:Jwt:KeyRefreshTimeout"] = "00:00:01",
            }));

        var options = app.Services.GetRequiredService<IOptionsMonitor<TokenAuthOptions>>().Get(TokenAuthDefaults.AuthenticationScheme);

        Assert.Equal(TimeSpan.FromMilliseconds(750), options.BackendTimeout);
        Assert.Equal(3, options.CircuitBreaker.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CircuitBreaker.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Jwt.KeyRefreshTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(750), options.Backends.TokenStore.Timeout);
    }

    // ---- The validation cache (TokenCacheOptions) -------------------------------------------------------------------

    [Theory]
    [InlineData(0, 100, "TokenCacheOptions.DistributedCacheTimeout must be positive (or Timeout.InfiniteTimeSpan); it is 00:00:00.")]
    [InlineData(-2, 100, "TokenCacheOptions.DistributedCacheTimeout must be positive (or Timeout.InfiniteTimeSpan); it is -00:00:00.0020000.")]
    [InlineData(500, -1, "TokenCacheOptions.MemoryEntryLimit must not be negative (zero keeps no answer in memory); it is -1.")]
    public async Task Startup_BadTokenCacheOption_HostDoesNotStartAndNamesIt(int timeoutMilliseconds, int memoryEntryLimit, string expected)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(services: s => s.Configure<TokenCacheOptions>(o =>
        {
            o.DistributedCacheTimeout = TimeSpan.FromMilliseconds(timeoutMilliseconds);
            o.MemoryEntryLimit = memoryEntryLimit;
        })));

        var failure = Assert.IsType<OptionsValidationException>(ex is AggregateException all ? all.Flatten().InnerExceptions.First(e => e is OptionsValidationException { OptionsType: var t } && t == typeof(TokenCacheOptions)) : ex);
        Assert.Equal(expected, Assert.Single(failure.Failures));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(1, 0)]
    [InlineData(500, int.MaxValue)]
    public async Task Startup_TokenCacheBoundaries_StartAndValidate(int timeoutMilliseconds, int memoryEntryLimit)
    {
        await using var app = await TestApp.StartAsync(services: s => s.Configure<TokenCacheOptions>(o =>
        {
            o.DistributedCacheTimeout = TimeSpan.FromMilliseconds(timeoutMilliseconds);
            o.MemoryEntryLimit = memoryEntryLimit;
        }));

        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", await app.IssueAsync()))).StatusCode);
    }

    // ---- The Redis store's connection ------------------------------------------------------------------------------

    [Fact]
    public void RedisStore_ConnectionStringWithoutTimeouts_GetsTheDeadlineAndNoAbortOnConnectFail()
    {
        var configuration = RedisOptions(s => s.AddTokenAuthRedisStore("localhost:6379")).ConfigurationOptions!;

        Assert.Equal(2000, configuration.ConnectTimeout);
        Assert.Equal(2000, configuration.SyncTimeout);
        Assert.Equal(2000, configuration.AsyncTimeout);
        Assert.False(configuration.AbortOnConnectFail);
        Assert.Equal("localhost:6379", configuration.EndPoints.Single().ToString()!.Replace("Unspecified/", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void RedisStore_ExplicitTimeouts_AreKept()
    {
        var configuration = RedisOptions(s => s.AddTokenAuthRedisStore("127.0.0.1:6379,abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1500,connectRetry=1")).ConfigurationOptions!;

        Assert.Equal(1000, configuration.ConnectTimeout);
        Assert.Equal(1000, configuration.SyncTimeout);
        Assert.Equal(1500, configuration.AsyncTimeout);
        Assert.Equal(1, configuration.ConnectRetry);
    }

    [Fact]
    public void RedisStore_SyncTimeoutOnly_AsyncFollowsIt()
    {
        var configuration = RedisOptions(s => s.AddTokenAuthRedisStore("localhost,syncTimeout=8000,abortConnect=true")).ConfigurationOptions!;

        Assert.Equal(8000, configuration.SyncTimeout);
        Assert.Equal(8000, configuration.AsyncTimeout);
        Assert.Equal(2000, configuration.ConnectTimeout);
        Assert.True(configuration.AbortOnConnectFail);
    }

    [Fact]
    public void RedisStore_HostConfigurationOptions_CompletedWithoutBeingChanged()
    {
        var own = new ConfigurationOptions { EndPoints = { "localhost:6379" }, ConnectTimeout = 9000 };

        var configuration = RedisOptions(s => s.AddTokenAuthRedisStore(o => o.ConfigurationOptions = own)).ConfigurationOptions!;

        Assert.NotSame(own, configuration);
        Assert.Equal(9000, configuration.ConnectTimeout);
        Assert.Equal(2000, configuration.AsyncTimeout);
        Assert.Equal(5000, own.AsyncTimeout);
    }

    [Fact]
    public void RedisStore_HostMultiplexerFactory_LeftAlone()
    {
        var options = RedisOptions(s => s.AddTokenAuthRedisStore(o => o.ConnectionMultiplexerFactory = () => throw new InvalidOperationException("not called")));

        Assert.Null(options.ConfigurationOptions);
    }

    private static RedisCacheOptions RedisOptions(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        configure(services);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>().Get("TokenAuth");
    }
}
