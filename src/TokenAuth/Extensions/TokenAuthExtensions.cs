using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TokenAuth;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TokenAuth authentication and its token stores.</summary>
public static class TokenAuthExtensions
{
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
    /// by itself and <c>RequireAuthorization()</c> and the scope policies work without further set-up.
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

        // Without authorization services WebApplication adds no UseAuthorization(), and an endpoint with
        // RequireAuthorization() answers 500 instead of 401. TokenAuth ships scope policies, so it registers them.
        services.AddAuthorization();
        return builder.AddScheme<TokenAuthOptions, TokenAuthHandler>(authenticationScheme, displayName, configureOptions);
    }

    /// <summary>
    /// Keeps tokens in Redis, so that every node of a farm validates what any node issued and honours
    /// what any node revoked. Replaces the in-memory default; the host's own <see cref="IDistributedCache"/> is untouched.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the Redis connection (e.g. <c>o.Configuration = "localhost:6379"</c>).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthRedisStore(this IServiceCollection services, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        const string name = "TokenAuth";
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<TokenStoreOptions>();
        // Timeouts the host did not choose are set so that a hung or dead Redis is seen within the backend deadline.
        services.AddOptions<RedisCacheOptions>(name).Configure(configure).PostConfigure(RedisConnectionDefaults.Apply);
        services.Replace(ServiceDescriptor.Singleton<ITokenStore>(sp => new DistributedCacheTokenStore(
            new RedisCache(Options.Options.Create(sp.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>().Get(name))),
            sp.GetRequiredService<IOptions<TokenStoreOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            ownsCache: true)));

        // Revocations travel to every node through the same Redis.
        services.AddTokenAuthRevocation();
        services.TryAddSingleton(sp =>
        {
            var redis = sp.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>().Get(name);
            var configuration = redis.ConfigurationOptions ?? ConfigurationOptions.Parse(redis.Configuration ?? throw new InvalidOperationException("The Redis store has no configuration."));
            return ActivatorUtilities.CreateInstance<RedisRevocationBus>(sp, configuration);
        });
        services.Replace(ServiceDescriptor.Singleton<IRevocationBus>(sp => sp.GetRequiredService<RedisRevocationBus>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RevocationBusStarter>());
        return services;
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

    /// <summary>Keeps tokens in Redis at <paramref name="configuration"/> (a StackExchange.Redis connection string).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The connection string, e.g. <c>localhost:6379</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthRedisStore(this IServiceCollection services, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return services.AddTokenAuthRedisStore(o => o.Configuration = configuration);
    }

    /// <summary>Keeps tokens in the host's registered <see cref="IDistributedCache"/> (SQL Server, Cosmos, …).</summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthDistributedStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<TokenStoreOptions>();
        services.Replace(ServiceDescriptor.Singleton<ITokenStore>(sp => new DistributedCacheTokenStore(
            sp.GetRequiredService<IDistributedCache>(),
            sp.GetRequiredService<IOptions<TokenStoreOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            ownsCache: false)));
        return services;
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
}
