using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace TokenAuth;

/// <summary>
/// The bus of a farm: messages go out on the Redis channel <c>tokenauth:revocations</c> and every node subscribed to it
/// hands them to its listeners. Each node applies its own messages at once, before publishing, and skips their echo.
/// When the connection comes back after a failure, the node may have missed messages: it forgets everything it holds
/// locally (<see cref="RevocationMessage.Everything"/>). Subscribes at start-up, so a node listens before it serves.
/// </summary>
internal sealed class RedisRevocationBus : IRevocationBus, IHostedService, IAsyncDisposable
{
    /// <summary>The channel every node listens on.</summary>
    public static readonly RedisChannel Channel = RedisChannel.Literal("tokenauth:revocations");

    private readonly ConfigurationOptions _configuration;
    private readonly RevocationDispatcher _dispatcher;
    private readonly ILogger<RedisRevocationBus> _logger;
    private readonly string _node = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ConnectionMultiplexer? _connection;

    public RedisRevocationBus(ConfigurationOptions configuration, RevocationDispatcher dispatcher, ILogger<RedisRevocationBus> logger)
    {
        _configuration = configuration.Clone();
        // Keep reconnecting in the background: a Redis outage must not end revocation for good.
        _configuration.AbortOnConnectFail = false;
        _configuration.IncludeDetailInExceptions = false;
        _dispatcher = dispatcher;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken) => await ConnectAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task PublishAsync(RevocationMessage message, CancellationToken cancellationToken)
    {
        await _dispatcher.DispatchAsync(message);
        var connection = await ConnectAsync(cancellationToken);
        await connection.GetSubscriber().PublishAsync(Channel, _node + "|" + message.Encode());
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync();
        }

        _connectLock.Dispose();
    }

    private async ValueTask<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _connection) is { } connection)
        {
            return connection;
        }

        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            if (_connection is not null)
            {
                return _connection;
            }

            // With AbortOnConnectFail off this returns a connection that keeps trying even when Redis is down now.
            connection = await ConnectionMultiplexer.ConnectAsync(_configuration);
            connection.ConnectionRestored += OnConnectionRestored;
            connection.ConnectionFailed += OnConnectionFailed;
            await connection.GetSubscriber().SubscribeAsync(Channel, OnMessage);
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue value)
    {
        var text = (string?)value;
        var separator = text?.IndexOf('|', StringComparison.Ordinal) ?? -1;
        if (separator < 0 || text.AsSpan(0, separator).SequenceEqual(_node))
        {
            // Not ours to read, or our own echo: applied already, before it was sent.
            return;
        }

        if (RevocationMessage.Decode(text![(separator + 1)..]) is { } message)
        {
            _ = DispatchAsync(message);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Subscription)
        {
            return;
        }

        // Messages sent while this node was away are lost: whatever it cached may since have been revoked.
        Log.RevocationResync(_logger);
        _ = DispatchAsync(RevocationMessage.Everything);
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            Log.RevocationChannelLost(_logger, e.FailureType.ToString());
        }
    }

    private async Task DispatchAsync(RevocationMessage message) => await _dispatcher.DispatchAsync(message);
}
