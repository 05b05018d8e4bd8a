using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TokenAuth.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps the token server's grants (refresh tokens, authorization codes, their families) in Redis.</summary>
public static class RedisGrantStoreExtensions
{
    /// <summary>
    /// Keeps grants in Redis at <paramref name="configuration"/>, so that a refresh token or code issued on one node
    /// can be redeemed — once — on any node, and a replay detected on one node revokes the family on all of them.
    /// Replaces the in-memory default.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthRedisGrantStore(this IServiceCollection services, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return services.AddTokenAuthRedisGrantStore(o => o.Configuration = configuration);
    }

    /// <summary>
    /// Keeps grants in Redis, configured by <paramref name="configure"/>. Without a
    /// <see cref="RedisGrantStoreOptions.Configuration"/>, the <see cref="IConnectionMultiplexer"/> the host registered is
    /// used (and left to the host to dispose). Replaces the in-memory default; the options are validated at start-up.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the store.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTokenAuthRedisGrantStore(this IServiceCollection services, Action<RedisGrantStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<RedisGrantStoreOptions>()
            .Configure(configure)
            .Validate<IServiceProvider>((o, sp) =>
            {
                o.Validate();
                return o.Configuration is not null || sp.GetService<IConnectionMultiplexer>() is not null;
            }, $"{nameof(RedisGrantStoreOptions)}.{nameof(RedisGrantStoreOptions.Configuration)} is required unless an IConnectionMultiplexer is registered.")
            .ValidateOnStart();
        services.Replace(ServiceDescriptor.Singleton<IGrantStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RedisGrantStoreOptions>>();
            var connection = options.Value.Configuration is null ? sp.GetRequiredService<IConnectionMultiplexer>() : null;
            return new RedisGrantStore(options, sp.GetRequiredService<TimeProvider>(), connection);
        }));
        return services;
    }
}
