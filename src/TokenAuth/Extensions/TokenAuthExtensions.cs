using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenAuth;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TokenAuth authentication, its token stores and its validation cache.</summary>
public static class TokenAuthExtensions
{
    /// <summary>The named <see cref="RedisCacheOptions"/> of the validation cache's second level.</summary>
    private const string CacheRedisOptionsName = "TokenAuth.Cache";

    /// <summary>The named <see cref="RedisCacheOptions"/> of the Redis token store, and the key of its connection.</summary>
    private const string StoreRedisOptionsName = "TokenAuth";

    /// <summary>Adds authentication with TokenAuth as the default scheme, configured from <c>Authentication:Schemes:TokenAuth</c>.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The authentication builder, to add more schemes.</returns>
    public static AuthenticationBuilder AddTokenAuth(this IServiceCollection services) => services.AddTokenAuth(configureOptions: null);

    /// <summary>
    /// Adds authentication with TokenAuth as the default scheme: the one-line set-up.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configureOptions">Configures the scheme.</param>
    /// <returns>The authentication builder, to add more schemes.</returns>
    public static AuthenticationBuilder AddTokenAuth(this IServiceCollection services, Action<TokenAuthOptions>? configureOptions)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddAuthentication(TokenAuthDefaults.AuthenticationScheme).AddTokenAuth(configureOptions);
    }

    /// <summary>Adds the TokenAuth scheme under its default name, configured from <c>Authentication:Schemes:TokenAuth</c>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddTokenAuth(this AuthenticationBuilder builder)
        => builder.AddTokenAuth(TokenAuthDefaults.AuthenticationScheme, _ => { });

    /// <summary>Adds the TokenAuth scheme under its default name.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configureOptions">Configures the scheme.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddTokenAuth(this AuthenticationBuilder builder, Action<TokenAuthOptions>? configureOptions)
        => builder.AddTokenAuth(TokenAuthDefaults.AuthenticationScheme, configureOptions);

    /// <summary>Adds the TokenAuth scheme under <paramref name="authenticationScheme"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="configureOptions">Configures the scheme.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddTokenAuth(this AuthenticationBuilder builder, string authenticationScheme, Action<TokenAuthOptions>? configureOptions)
        => builder.AddTokenAuth(authenticationScheme, TokenAuthDefaults.DisplayName, configureOptions);

    /// <summary>
    /// Adds the TokenAuth scheme: every other overload ends here. Also registers the authorization services
    /// (<c>AddAuthorization()</c>, which is idempotent), so that <c>WebApplication</c> adds <c>UseAuthorization()</c>
    /// by itself and <c>RequireAuthorization()</c> and the scope policies work without further set-up; TokenAuth's own
    /// validation cache (a keyed <c>HybridCache</c>, memory only unless <see cref="AddTokenAuthRedisCache(IServiceCollection, string)"/>
    /// gives it Redis); and the scheme's introspection backchannel (a named <see cref="HttpClient"/>,
    /// <see cref="TokenAuthDefaults.IntrospectionHttpClientName"/> + "." + scheme, with timeouts, retries and a circuit
    /// breaker read from the scheme's options), so that configuration alone turns introspection on.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="displayName">The scheme's display name.</param>
    /// <param name="configureOptions">Configures the scheme.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddTokenAuth(this AuthenticationBuilder builder, string authenticationScheme, string? displayName, Action<TokenAuthOptions>? configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenStore, InMemoryTokenStore>();
        // This node's cache of tenant and sudo-user lookups; the revocation subscriber evicts through it.
        services.TryAddSingleton<ImpersonationCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRevocationListener, ImpersonationCache>(sp => sp.GetRequiredService<ImpersonationCache>()));

        services.AddTokenAuthRevocation();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TokenAuthOptions>, TokenAuthConfigureOptions>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<TokenAuthOptions>, TokenAuthPostConfigureOptions>());
        services.AddOptions<TokenAuthOptions>(authenticationScheme).ValidateOnStart();
        AddTokenCache(services);
        IntrospectionBackchannel.Register(services, authenticationScheme);

        // Without authorization services WebApplication adds no UseAuthorization(), and an endpoint with
        // RequireAuthorization() answers 500 instead of 401. TokenAuth ships scope policies, so it registers them.
        services.AddAuthorization();
        return builder.AddScheme<TokenAuthOptions, TokenAuthHandler>(authenticationScheme, displayName, configureOptions);
    }

    /// <summary>
    /// Validates <paramref name="authenticationScheme"/>'s tokens with <typeparamref name="TValidator"/>, made by
    /// dependency injection (a singleton: its dependencies come from the container, so it may use the host's own services
    /// — a database client, an HTTP client from <c>IHttpClientFactory</c>). It replaces the built-in choice (JWT, token
    /// store, introspection) and any <see cref="TokenAuthOptions.Validator"/> set before; its answers are not cached by
    /// TokenAuth. Everything else — sources, shape guard, sudo, tenants, scopes, events, 503 for
    /// <see cref="TokenCheckStatus.Unavailable"/> — stays.
    /// </summary>
    /// <typeparam name="TValidator">The validator; registered as a singleton unless already registered.</typeparam>
    /// <param name="builder">The authentication builder (<c>services.AddTokenAuth(…)</c>).</param>
    /// <param name="authenticationScheme">The TokenAuth scheme it validates for.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddTokenAuthValidator<TValidator>(this AuthenticationBuilder builder, string authenticationScheme = TokenAuthDefaults.AuthenticationScheme)
        where TValidator : class, ITokenValidator
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        builder.Services.TryAddSingleton<TValidator>();
        builder.Services.AddOptions<TokenAuthOptions>(authenticationScheme).Configure<TValidator>((options, validator) => options.Validator = validator);
        return builder;
    }

    /// <summary>
    /// Keeps tokens in Redis, so that every node of a farm validates what any node issued and honours
    /// what any node revoked. Replaces the in-memory default; the host's own <see cref="IDistributedCache"/> is untouched.
    /// Each live token is one Redis string of about 170 bytes of Redis memory (see the README's Token store section); entries written by
    /// earlier versions stay readable until they expire (<see cref="TokenStoreOptions.ReadLegacyEntries"/>). The store and
    /// the revocation bus share one connection; the validation cache's second level has its own.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">
    /// Configures the Redis connection (e.g. <c>o.Configuration = "localhost:6379"</c>); <see cref="RedisCacheOptions.InstanceName"/>,
    /// when set, goes before every key, as <c>RedisCache</c> put it.
    /// </param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthRedisStore(this IServiceCollection services, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(TimeProvider.System);
        AddTokenStoreOptions(services);
        // Timeouts the host did not choose are set so that a hung or dead Redis is seen within the backend deadline.
        services.AddOptions<RedisCacheOptions>(StoreRedisOptionsName).Configure(configure).PostConfigure(RedisConnectionDefaults.Apply);
        services.TryAddKeyedSingleton(StoreRedisOptionsName, (sp, _) => new RedisConnection(sp.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>().Get(StoreRedisOptionsName)));
        services.Replace(ServiceDescriptor.Singleton<ITokenStore>(sp => new RedisTokenStore(
            sp.GetRequiredKeyedService<RedisConnection>(StoreRedisOptionsName),
            sp.GetRequiredService<IOptions<TokenStoreOptions>>().Value,
            sp.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>().Get(StoreRedisOptionsName).InstanceName,
            sp.GetRequiredService<TimeProvider>())));

        // The same Redis is the validation cache's second level and carries revocations to every node, on the store's connection.
        return services.AddTokenAuthRedisCache(configure, busConnection: StoreRedisOptionsName);
    }

    /// <summary>The revoker and an in-process bus, unless a farm's bus was registered.</summary>
    internal static IServiceCollection AddTokenAuthRevocation(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<TokenAuthMetrics>();
        services.TryAddSingleton<RevocationDispatcher>();
        services.TryAddSingleton<IRevocationBus, LocalRevocationBus>();
        services.TryAddSingleton<ITokenRevoker, TokenRevoker>();
        return services;
    }

    /// <summary>
    /// Gives TokenAuth's validation cache a second level in Redis: an introspection answer fetched on one node is a hit on
    /// every other node, keyed <c>tokenauth:c:introspection:&lt;SHA-256&gt;</c>. Redis errors are misses (the API keeps working
    /// from memory and the authority), and each Redis call has <see cref="TokenCacheOptions.DistributedCacheTimeout"/> at
    /// most. <c>AddTokenAuthRedisStore</c> calls this already. The host's own <see cref="IDistributedCache"/> is untouched.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the Redis connection (e.g. <c>o.Configuration = "localhost:6379"</c>).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthRedisCache(this IServiceCollection services, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddKeyedSingleton(CacheRedisOptionsName, (sp, _) => new RedisConnection(sp.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>().Get(CacheRedisOptionsName)));
        return services.AddTokenAuthRedisCache(configure, busConnection: CacheRedisOptionsName);
    }

    /// <summary>The validation cache's second level, and the revocation bus on the <see cref="RedisConnection"/> keyed <paramref name="busConnection"/>.</summary>
    private static IServiceCollection AddTokenAuthRedisCache(this IServiceCollection services, Action<RedisCacheOptions> configure, string busConnection)
    {
        services.AddOptions<RedisCacheOptions>(CacheRedisOptionsName).Configure(configure).PostConfigure(RedisConnectionDefaults.Apply);
        services.AddOptions<TokenCacheOptions>();
        services.RemoveAllKeyed<IDistributedCache>(TokenAuthDefaults.CacheServiceKey);
        services.AddKeyedSingleton<IDistributedCache>(TokenAuthDefaults.CacheServiceKey, (sp, _) => new DeadlineDistributedCache(
            new RedisCache(Options.Options.Create(sp.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>().Get(CacheRedisOptionsName))),
            sp.GetRequiredService<IOptions<TokenCacheOptions>>().Value.DistributedCacheTimeout,
            sp.GetRequiredService<ILogger<TokenCache>>()));

        // Revocations travel to every node on a channel of the same Redis: a token revoked on one node (or by the
        // authority, when it shares the Redis) leaves every node's cache within about a second.
        services.AddTokenAuthRevocation();
        // The last call chooses the bus's connection, as the last configuration of its options chose its server before.
        services.RemoveAll<RedisRevocationBus>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RedisRevocationBus>(sp, sp.GetRequiredKeyedService<RedisConnection>(busConnection)));
        services.Replace(ServiceDescriptor.Singleton<IRevocationBus>(sp => sp.GetRequiredService<RedisRevocationBus>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RevocationBusStarter>());
        return services;
    }

    /// <summary>Gives TokenAuth's validation cache a second level in Redis at <paramref name="configuration"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The StackExchange.Redis connection string, e.g. <c>localhost:6379</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthRedisCache(this IServiceCollection services, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return services.AddTokenAuthRedisCache(o => o.Configuration = configuration);
    }

    /// <summary>Keeps tokens in Redis at <paramref name="configuration"/> (a StackExchange.Redis connection string).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The connection string, e.g. <c>localhost:6379</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthRedisStore(this IServiceCollection services, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return services.AddTokenAuthRedisStore(o => o.Configuration = configuration);
    }

    /// <summary>
    /// Keeps tokens in the host's registered <see cref="IDistributedCache"/> (SQL Server, Cosmos, …), keyed
    /// <see cref="TokenStoreOptions.KeyPrefix"/> + the hex of the token's SHA-256; a TokenAuth host without one does not
    /// start. It adds no revocation bus: another node keeps a revoked token it validated for
    /// <see cref="TokenAuthOptions.StoreCacheDuration"/>, unless <see cref="AddTokenAuthRedisCache(IServiceCollection, string)"/>
    /// carries revocations too.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthDistributedStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        AddTokenStoreOptions(services);
        services.Replace(ServiceDescriptor.Singleton<ITokenStore>(sp => new DistributedCacheTokenStore(
            // TokenAuth's own caches are keyed and do not count: the tokens go where the host keeps its data.
            sp.GetService<IDistributedCache>() ?? throw new InvalidOperationException(
                $"{nameof(AddTokenAuthDistributedStore)} keeps tokens in the host's {nameof(IDistributedCache)}, and none is registered: " +
                $"add one (AddStackExchangeRedisCache, AddDistributedSqlServerCache, AddDistributedMemoryCache for one process…), or use {nameof(AddTokenAuthRedisStore)}."),
            sp.GetRequiredService<IOptions<TokenStoreOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            ownsCache: false)));
        return services;
    }

    /// <summary>The built-in stores' options, checked at start-up.</summary>
    private static void AddTokenStoreOptions(IServiceCollection services)
    {
        services.AddOptions<TokenStoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenStoreOptions>, TokenStoreOptionsValidator>());
    }

    /// <summary>
    /// Turns sudo on (seed 001): tokens with the sudo scope may act as the users <typeparamref name="TStore"/> finds.
    /// </summary>
    /// <typeparam name="TStore">The host's user store.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="lifetime">The store's lifetime; scoped by default, so it may use a <c>DbContext</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthSudo<TStore>(this IServiceCollection services, ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TStore : class, ISudoUserStore
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Replace(ServiceDescriptor.Describe(typeof(ISudoUserStore), typeof(TStore), lifetime));
        return services;
    }

    /// <summary>Turns tenant scoping on: <c>tenantId</c>/<c>tenantCode</c> resolve through <typeparamref name="TStore"/>.</summary>
    /// <typeparam name="TStore">The host's tenant store.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="lifetime">The store's lifetime; scoped by default.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthTenants<TStore>(this IServiceCollection services, ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TStore : class, ITenantStore
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Replace(ServiceDescriptor.Describe(typeof(ITenantStore), typeof(TStore), lifetime));
        return services;
    }

    /// <summary>TokenAuth's own HybridCache and the cache over it, once, whatever number of schemes.</summary>
    private static void AddTokenCache(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(TokenCache)))
        {
            return;
        }

        services.AddOptions<TokenCacheOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenCacheOptions>, TokenCacheOptionsValidator>());
        // No second level until AddTokenAuthRedisCache: HybridCache recognises a MemoryDistributedCache beside a
        // MemoryCache as no L2 at all, so memory-only costs no serialization.
        services.TryAddKeyedSingleton<IDistributedCache>(
            TokenAuthDefaults.CacheServiceKey,
            (_, _) => new MemoryDistributedCache(Options.Options.Create(new MemoryDistributedCacheOptions())));
        services.AddKeyedHybridCache(TokenAuthDefaults.CacheServiceKey, o =>
        {
            o.DistributedCacheServiceKey = TokenAuthDefaults.CacheServiceKey;
            // Answers are bounded at 64 KiB on the wire; anything far larger under our key is not ours.
            o.MaximumPayloadBytes = 256 * 1024;
            o.ReportTagMetrics = false;
        }).AddSerializer<CachedToken, CachedTokenSerializer>();
        services.TryAddSingleton(sp => new TokenCache(
            sp.GetRequiredKeyedService<HybridCache>(TokenAuthDefaults.CacheServiceKey),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TokenCache>>(),
            sp.GetService<TokenAuthMetrics>(),
            sp.GetRequiredService<IOptions<TokenCacheOptions>>().Value.MemoryEntryLimit));
        // Revoked tokens leave every node's cache (TokenCache listens to the revocation messages).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRevocationListener, TokenCache>(sp => sp.GetRequiredService<TokenCache>()));
    }
}
