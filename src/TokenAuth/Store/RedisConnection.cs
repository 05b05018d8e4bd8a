using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

namespace TokenAuth;

/// <summary>
/// One StackExchange.Redis connection, opened on first use and kept: the Redis token store and the revocation bus share
/// it when <c>AddTokenAuthRedisStore</c> registers both. Opened with <c>abortConnect=false</c>, so that a Redis down at
/// start-up or later is reconnected to in the background (its calls fail meanwhile: 503), and with
/// <see cref="ConfigurationOptions.IncludeDetailInExceptions"/> off, since StackExchange.Redis would otherwise put whole
/// keys — prefix and hash — into exception messages that end up in logs (the README promises a 12-digit hash prefix at
/// most). A host's <see cref="RedisCacheOptions.ConnectionMultiplexerFactory"/> is used as it is and never disposed.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly ConfigurationOptions? _configuration;
    private readonly Func<Task<IConnectionMultiplexer>>? _factory;
    private readonly Func<StackExchange.Redis.Profiling.ProfilingSession?>? _profiling;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnectionMultiplexer? _connection;
    private bool _disposed;

    /// <summary>A connection as <paramref name="options"/> describe it (after <see cref="RedisConnectionDefaults.Apply"/>).</summary>
    /// <exception cref="InvalidOperationException">The options name no server and no factory.</exception>
    public RedisConnection(RedisCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _profiling = options.ProfilingSession;
        if (options.ConnectionMultiplexerFactory is { } factory)
        {
            _factory = factory;
            return;
        }

        var configuration = options.ConfigurationOptions?.Clone()
            ?? (string.IsNullOrWhiteSpace(options.Configuration)
                ? throw new InvalidOperationException("The Redis connection has no configuration: set Configuration, ConfigurationOptions or ConnectionMultiplexerFactory.")
                : ConfigurationOptions.Parse(options.Configuration));
        configuration.AbortOnConnectFail = false;
        configuration.IncludeDetailInExceptions = false;
        _configuration = configuration;
    }

    /// <summary>The connection, opening it on the first call. Cancellation is honoured until the connection is asked for.</summary>
    public async ValueTask<IConnectionMultiplexer> GetAsync(CancellationToken cancellationToken)
    {
        // Redis commands cannot be cancelled once sent: the token is honoured up to here, commands by asyncTimeout.
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (Volatile.Read(ref _connection) is { } connection)
        {
            return connection;
        }

        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { } opened)
            {
                return opened;
            }

            // Bounded by connectTimeout; with abortConnect=false it returns a reconnecting connection even when Redis is down.
            connection = _factory is not null ? await _factory() : await ConnectionMultiplexer.ConnectAsync(_configuration!);
            if (_profiling is not null)
            {
                // As RedisCache did for the store's connection.
                connection.RegisterProfiler(_profiling);
            }

            Volatile.Write(ref _connection, connection);
            if (Volatile.Read(ref _disposed))
            {
                await DisposeConnectionAsync();
                throw new ObjectDisposedException(nameof(RedisConnection));
            }

            return connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>The database commands go to.</summary>
    public async ValueTask<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken)
        => (await GetAsync(cancellationToken)).GetDatabase();

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        if (_factory is null)
        {
            Interlocked.Exchange(ref _connection, null)?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, true);
        await DisposeConnectionAsync();
    }

    private async ValueTask DisposeConnectionAsync()
    {
        if (_factory is null && Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync();
        }
    }
}
