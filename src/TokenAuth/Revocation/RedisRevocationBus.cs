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

    private readonly RedisConnection _connection;
    private readonly RevocationDispatcher _dispatcher;
    private readonly ILogger<RedisRevocationBus> _logger;
    private readonly string _node = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnectionMultiplexer? _subscribed;

    /// <summary>Creates the bus.</summary>
    /// <param name="connection">
    /// Its connection, which it never disposes: its own, or the Redis token store's (<c>AddTokenAuthRedisStore</c>). The bus
    /// subscribes on it and listens to its connection events; commands of others on it change neither.
    /// </param>
    /// <param name="dispatcher">Hands messages to this node's listeners.</param>
    /// <param name="logger">Where a lost and restored channel is logged.</param>
    public RedisRevocationBus(RedisConnection connection, RevocationDispatcher dispatcher, ILogger<RedisRevocationBus> logger)
    {
        _connection = connection;
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

    public ValueTask DisposeAsync()
    {
        // The connection may be shared and outlive the bus: leave it open, but stop listening on it.
        if (Interlocked.Exchange(ref _subscribed, null) is { } connection)
        {
            StopListening(connection);
        }

        _connectLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private void StopListening(IConnectionMultiplexer connection)
    {
        connection.ConnectionRestored -= OnConnectionRestored;
        connection.ConnectionFailed -= OnConnectionFailed;
        try
        {
            connection.GetSubscriber().Unsubscribe(Channel, OnMessage, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            // Down or closed: nothing is delivered to this handler any more either way.
        }
    }

    private async ValueTask<IConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _subscribed) is { } connection)
        {
            return connection;
        }

        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            if (_subscribed is not null)
            {
                return _subscribed;
            }

            // The connection keeps trying in the background even when Redis is down now (abortConnect=false).
            connection = await _connection.GetAsync(cancellationToken);
            connection.ConnectionRestored += OnConnectionRestored;
            connection.ConnectionFailed += OnConnectionFailed;
            try
            {
                await connection.GetSubscriber().SubscribeAsync(Channel, OnMessage);
            }
            catch
            {
                // The connection outlives this attempt (it may be shared): the next one must not listen twice.
                StopListening(connection);
                throw;
            }

            Volatile.Write(ref _subscribed, connection);
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
