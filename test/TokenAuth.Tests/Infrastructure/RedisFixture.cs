using StackExchange.Redis;

namespace TokenAuth.Tests.Infrastructure;

/// <summary>
/// One real redis-server for a test class (<c>IClassFixture&lt;RedisFixture&gt;</c>), with a connection to inspect it.
/// Tests isolate themselves by key prefix. When redis-server is absent and not required, nothing is started: the
/// class's <see cref="RedisFactAttribute"/> and <see cref="ContractFactAttribute"/> facts are skipped then.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private ConnectionMultiplexer? _connection;

    public RedisServer Server => _server ?? throw new InvalidOperationException("redis-server was not started.");

    /// <summary>A connection of the test's own, to look at keys and TTLs.</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("redis-server was not started.");

    public async Task InitializeAsync()
    {
        if (new RedisFactAttribute().Skip is not null)
        {
            return;
        }

        _server = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_server.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
