using System.Globalization;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Benchmarks;

/// <summary>
/// Redis memory per live token, for the store's previous format (<see cref="DistributedCacheTokenStore"/> over a
/// <c>RedisCache</c>: a hash with <c>absexp</c>/<c>sldexp</c>/<c>data</c>, a 64-hex key, JSON) and its compact one
/// (<see cref="RedisTokenStore"/>: a string with a TTL, a base64url key, <see cref="CompactTokenInfoSerializer"/>'s bytes).
/// Each format and token shape gets an empty <c>redis-server</c> of its own (the tests' fixture, on a free loopback
/// port), then <c>tokens</c> saves through the store itself; two figures per run:
/// <list type="bullet">
/// <item><c>MEMORY USAGE key SAMPLES 0</c> over 1,000 keys spread over the run: what Redis charges one key and value;</item>
/// <item>the growth of <c>INFO memory</c>'s <c>used_memory</c> divided by the count: everything, the main and expires
/// dictionaries' tables included, read once Redis has finished rehashing them.</item>
/// </list>
/// Every sampled entry is read back through the store and compared, so that what is measured is a working entry.
/// <code>dotnet run -c Release --project test/TokenAuth.Benchmarks -- redis-bytes [tokens=100000]</code>
/// </summary>
internal static class RedisBytesRunner
{
    private const int Samples = 1000;
    private const int Batch = 1000;

    public static async Task RunAsync(string[] args)
    {
        var tokens = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var now = TimeProvider.System.GetUtcNow();
        // The sample app's client-credentials token with a user, and the same with a display name, a tenant and a role.
        var shapes = new (string Name, Func<int, TokenInfo> Info)[]
        {
            ("typical: sub, client_id, 3 scopes, iat, exp", i => new TokenInfo
            {
                Subject = $"user-{i:D7}",
                ClientId = "demo-client",
                Scopes = ["read", "write", "profile"],
                IssuedAt = now,
                ExpiresAt = now.AddHours(1),
            }),
            ("+ name, tenant, 1 role", i => new TokenInfo
            {
                Subject = $"user-{i:D7}",
                Name = "Ada Lovelace",
                ClientId = "demo-client",
                Scopes = ["read", "write", "profile"],
                Roles = ["admin"],
                TenantId = "t-100",
                IssuedAt = now,
                ExpiresAt = now.AddHours(1),
            }),
        };

        Console.WriteLine($"Redis memory per live token, {tokens:N0} tokens per run, an empty redis-server each");
        Console.WriteLine($"{"format",-9} | {"token",-45} | {"MEMORY USAGE median (min–max)",30} | {"used_memory Δ / token",22} | {"key",4} | {"value",5}");
        foreach (var (shapeName, info) in shapes)
        {
            foreach (var compact in new[] { false, true })
            {
                var result = await MeasureAsync(compact, info, tokens);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{(compact ? "compact" : "previous"),-9} | {shapeName,-45} | {$"{result.Median} ({result.Min}–{result.Max})",30} | {result.PerToken,22:F1} | {result.KeyLength,4} | {result.ValueLength,5}"));
            }
        }
    }

    private static async Task<Result> MeasureAsync(bool compact, Func<int, TokenInfo> info, int tokens)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var inspector = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var db = inspector.GetDatabase();
        var server = inspector.GetServer(inspector.GetEndPoints()[0]);
        var options = new TokenStoreOptions();
        using var connection = new RedisConnection(new RedisCacheOptions { Configuration = redis.ConnectionString });
        using var cache = new RedisCache(Options.Create(new RedisCacheOptions { Configuration = redis.ConnectionString }));
        ITokenStore store = compact
            ? new RedisTokenStore(connection, options, instanceName: null, TimeProvider.System)
            : new DistributedCacheTokenStore(cache, Options.Create(options), TimeProvider.System, ownsCache: false);

        // One save first: the store's connection and Redis's own structures are there before the baseline is read.
        await store.SaveAsync(Hash(-1), info(-1));
        await store.RemoveAsync(Hash(-1));
        var before = await UsedMemoryAsync(server);
        for (var start = 0; start < tokens; start += Batch)
        {
            var end = Math.Min(start + Batch, tokens);
            await Task.WhenAll(Enumerable.Range(start, end - start).Select(i => store.SaveAsync(Hash(i), info(i))));
        }

        var after = await SettledUsedMemoryAsync(server);
        var usage = new List<long>(Samples);
        var keyLength = 0;
        var valueLength = 0;
        var step = Math.Max(1, tokens / Samples);
        for (var i = 0; i < tokens; i += step)
        {
            var key = compact ? ((RedisTokenStore)store).Key(Hash(i)) : options.KeyPrefix + Hash(i).Value;
            usage.Add((long)await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0"));
            var found = await store.FindAsync(Hash(i)) ?? throw new InvalidOperationException($"Token {i} was not found: nothing would be measured.");
            if (found.Subject != info(i).Subject || found.ExpiresAt is null)
            {
                throw new InvalidOperationException($"Token {i} came back different.");
            }

            keyLength = key.Length;
            valueLength = compact
                ? (int)(await db.StringLengthAsync(key))
                : (int)(await db.HashStringLengthAsync(key, "data"));
        }

        if ((long)await db.ExecuteAsync("DBSIZE") != tokens)
        {
            throw new InvalidOperationException("Redis holds another number of keys than tokens were saved.");
        }

        usage.Sort();
        return new Result(usage[usage.Count / 2], usage[0], usage[^1], (double)(after - before) / tokens, keyLength, valueLength);
    }

    /// <summary>A token's hash; tokens are never made, only their hashes (which is all a store sees).</summary>
    private static TokenHash Hash(int i) => TokenHash.Compute(string.Create(CultureInfo.InvariantCulture, $"benchmark-token-{i}"));

    private static async Task<long> UsedMemoryAsync(IServer server)
    {
        var info = await server.InfoAsync("memory");
        var value = info.SelectMany(group => group).First(pair => pair.Key == "used_memory").Value;
        return long.Parse(value, CultureInfo.InvariantCulture);
    }

    /// <summary>used_memory once it has stopped moving: Redis rehashes a grown dictionary a step at a time, and holds both tables meanwhile.</summary>
    private static async Task<long> SettledUsedMemoryAsync(IServer server)
    {
        var last = await UsedMemoryAsync(server);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await Task.Delay(200);
            var now = await UsedMemoryAsync(server);
            if (now == last)
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    private sealed record Result(long Median, long Min, long Max, double PerToken, int KeyLength, int ValueLength);
}
