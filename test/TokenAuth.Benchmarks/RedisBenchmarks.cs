using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace TokenAuth.Benchmarks;

/// <summary>
/// An introspection answer read from the second level (Redis): <c>AuthenticateAsync</c> with the memory level off
/// (<see cref="TokenCacheOptions.MemoryEntryLimit"/> 0), against the baseline of a raw StackExchange.Redis <c>GET</c> of a
/// value of the same size on the same server — what TokenAuth adds to the round trip it cannot avoid. Starts its own
/// <c>redis-server</c> on a free loopback port (the Debian package). The setup checks that the requests authenticate
/// from Redis, the authority being asked once.
/// </summary>
[MemoryDiagnoser]
public class RedisBenchmarks
{
    private const string Token = "opaque-benchmark-token-redis-0123456789";
    private const string RawKey = "bench:raw";

    private Process _redis = null!;
    private WebApplication _authority = null!;
    private ServiceProvider _services = null!;
    private ConnectionMultiplexer _raw = null!;
    private IDatabase _db = null!;
    private int _introspections;

    /// <summary>The size of the entry TokenAuth reads from Redis, and so of the raw value.</summary>
    internal long EntryBytes { get; private set; }

    /// <summary>The Redis commands one L2 hit sends, per command (from <c>INFO commandstats</c> over a hundred hits).</summary>
    internal string CommandsPerHit { get; private set; } = string.Empty;

    [GlobalSetup]
    public async Task Setup()
    {
        var port = FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("redis-server (apt-get install -y redis-server) did not start.");
        var connection = $"127.0.0.1:{port},abortConnect=false";
        var admin = $"{connection},allowAdmin=true";
        _raw = await ConnectWhenUpAsync(admin);
        _db = _raw.GetDatabase();

        var authority = WebApplication.CreateSlimBuilder();
        authority.WebHost.UseTestServer();
        authority.Logging.ClearProviders();
        _authority = authority.Build();
        var exp = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
        _authority.MapPost("/introspect", () =>
        {
            Interlocked.Increment(ref _introspections);
            return Results.Text($$"""{"active":true,"sub":"user-1","client_id":"c","scope":"read write","exp":{{exp}}}""", "application/json");
        });
        await _authority.StartAsync();

        var services = new ServiceCollection().AddLogging();
        services.AddAuthentication().AddTokenAuth("tokenauth-l2", o =>
        {
            o.Introspection.Endpoint = "http://127.0.0.1/introspect";
            o.Sudo.Enabled = false;
            o.Tenants.Enabled = false;
        });
        services.AddTokenAuthRedisCache(connection);
        services.Configure<TokenCacheOptions>(o => o.MemoryEntryLimit = 0);
        services.AddHttpClient(TokenAuthDefaults.IntrospectionHttpClientName + ".tokenauth-l2")
            .ConfigurePrimaryHttpMessageHandler(() => _authority.GetTestServer().CreateHandler());
        _services = services.BuildServiceProvider();

        for (var i = 0; i < 20; i++)
        {
            var result = await TokenAuth_Introspection_L2Hit();
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"The token did not authenticate: {result.Failure?.Message}");
            }
        }

        if (_introspections != 1)
        {
            throw new InvalidOperationException($"{_introspections} introspections for twenty requests: the answers did not come from Redis.");
        }

        var server = _raw.GetServer(_raw.GetEndPoints()[0]);
        var key = server.Keys(pattern: "tokenauth:c:*").Single();
        var type = await _db.KeyTypeAsync(key);
        EntryBytes = type == RedisType.Hash ? (long)await _db.HashStringLengthAsync(key, "data") : await _db.StringLengthAsync(key);
        await _db.StringSetAsync(RawKey, new byte[EntryBytes]);
        await server.ExecuteAsync("CONFIG", "RESETSTAT");
        for (var i = 0; i < 100; i++)
        {
            await TokenAuth_Introspection_L2Hit();
        }

        CommandsPerHit = string.Join(", ", (await server.InfoAsync("commandstats")).SelectMany(g => g)
            .Select(kv => (kv.Key, Calls: long.Parse(kv.Value.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture)))
            .Where(c => c.Key != "cmdstat_config")
            .Select(c => $"{c.Key.Replace("cmdstat_", string.Empty, StringComparison.Ordinal)} {c.Calls / 100.0:F2}"));
        if ((await Redis_RawGet()).Length() != EntryBytes)
        {
            throw new InvalidOperationException("The raw value is not the entry's size.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _services.DisposeAsync();
        await _authority.DisposeAsync();
        await _raw.DisposeAsync();
        _redis.Kill();
        await _redis.WaitForExitAsync();
        _redis.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<RedisValue> Redis_RawGet() => _db.StringGetAsync(RawKey);

    [Benchmark]
    public async Task<AuthenticateResult> TokenAuth_Introspection_L2Hit()
    {
        var context = AuthenticateBenchmarks.Request(Token);
        await using var scope = _services.CreateAsyncScope();
        context.RequestServices = scope.ServiceProvider;
        return await context.RequestServices.GetRequiredService<IAuthenticationService>().AuthenticateAsync(context, "tokenauth-l2");
    }

    private static async Task<ConnectionMultiplexer> ConnectWhenUpAsync(string connection)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(connection);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                await multiplexer.GetDatabase().PingAsync();
                return multiplexer;
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException("redis-server did not answer within five seconds.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
