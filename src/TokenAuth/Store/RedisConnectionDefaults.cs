using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

namespace TokenAuth;

/// <summary>
/// Connection defaults for the Redis token store. StackExchange.Redis waits 5 s by default (connect, sync and async
/// time-outs), so a connection string such as <c>localhost:6379</c> would let a hung Redis hold every abandoned command
/// for 5 s. Whatever the host did not choose is set here: connect/sync/async time-outs equal to the default backend
/// deadline, and <c>abortConnect=false</c> so that a Redis down at start-up is reconnected to in the background.
/// What the host chose (in the string or in <see cref="RedisCacheOptions.ConfigurationOptions"/>) is kept; a host that
/// supplies its own <see cref="RedisCacheOptions.ConnectionMultiplexerFactory"/> is left alone.
/// </summary>
internal static class RedisConnectionDefaults
{
    /// <summary>The time-outs set when the host chose none, in milliseconds: the default <see cref="TokenAuthOptions.BackendTimeout"/>.</summary>
    public const int TimeoutMilliseconds = 2000;

    public static void Apply(RedisCacheOptions options)
    {
        if (options.ConnectionMultiplexerFactory is not null)
        {
            return;
        }

        var configuration = options.ConfigurationOptions?.Clone()
            ?? (string.IsNullOrWhiteSpace(options.Configuration) ? null : ConfigurationOptions.Parse(options.Configuration));
        if (configuration is null)
        {
            return;
        }

        // ToString lists exactly the settings that were given (without the password here), so it tells chosen from default.
        var chosen = configuration.ToString(includePassword: false)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2)[0])
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!chosen.Contains("connectTimeout"))
        {
            configuration.ConnectTimeout = TimeoutMilliseconds;
        }

        if (!chosen.Contains("syncTimeout"))
        {
            configuration.SyncTimeout = TimeoutMilliseconds;
        }

        if (!chosen.Contains("asyncTimeout") && !chosen.Contains("syncTimeout"))
        {
            // An explicit syncTimeout alone is also the async one (StackExchange.Redis's rule): keep it so.
            configuration.AsyncTimeout = TimeoutMilliseconds;
        }

        if (!chosen.Contains("abortConnect"))
        {
            configuration.AbortOnConnectFail = false;
        }

        options.ConfigurationOptions = configuration;
    }
}
