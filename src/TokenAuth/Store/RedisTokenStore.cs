using System.Buffers.Text;
using System.Security.Cryptography;
using StackExchange.Redis;

namespace TokenAuth;

/// <summary>
/// The token store in Redis, one plain string per live token: 168 bytes of <c>MEMORY USAGE</c> for a typical token, where
/// the <c>IDistributedCache</c>-shaped hash it replaces took 584 (RESULTS.md, <c>redis-bytes</c>):
/// <list type="bullet">
/// <item>key <c>&lt;InstanceName&gt;&lt;KeyPrefix&gt;&lt;base64url of the 32 hash bytes&gt;</c> — 43 characters where hex took 64.
/// Raw bytes would take 32, but with the default prefix both land in the same 64-byte allocation of Redis's allocator, and
/// text stays typeable in <c>redis-cli</c> and safe in <c>SCAN MATCH</c> patterns (raw bytes may be glob characters);</item>
/// <item>value <see cref="CompactTokenInfoSerializer"/>'s bytes, written with <c>SET … PX</c>: the TTL is the time left
/// to <see cref="TokenInfo.ExpiresAt"/> on the injected clock, so Redis's own clock runs it and a skew between a node and
/// Redis cannot stretch a lifetime.</item>
/// </list>
/// Entries of the previous format — a hash under <c>&lt;InstanceName&gt;&lt;KeyPrefix&gt;&lt;64 hex&gt;</c> whose
/// <c>data</c> field holds the JSON — stay readable until they expire while <see cref="TokenStoreOptions.ReadLegacyEntries"/>
/// is on: a lookup asks for both keys in one round trip (two commands pipelined, not a script, so that the keys may live
/// in different cluster slots), a save and a removal delete the old one too, so a revoked or re-saved token never comes
/// back from it. Redis errors propagate: the store validator turns them into a 503 within its deadline.
/// </summary>
internal sealed class RedisTokenStore : ITokenStore
{
    private const string LegacyDataField = "data";

    /// <summary>The base64url of 32 bytes, unpadded.</summary>
    private const int EncodedHashLength = 43;

    private readonly RedisConnection _connection;
    private readonly TimeProvider _timeProvider;
    private readonly string _prefix;
    private readonly bool _readLegacy;

    public RedisTokenStore(RedisConnection connection, TokenStoreOptions options, string? instanceName, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _connection = connection;
        _timeProvider = timeProvider;
        // RedisCache put its InstanceName before every key: kept, so that hosts partitioned by it stay apart.
        _prefix = string.Concat(instanceName, options.KeyPrefix);
        _readLegacy = options.ReadLegacyEntries;
    }

    /// <summary>A <c>PING</c> (for the health check).</summary>
    internal async Task PingAsync(CancellationToken cancellationToken)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken);
        await db.PingAsync().WaitAsync(cancellationToken);
    }

    public async Task SaveAsync(TokenHash hash, TokenInfo info, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        var expiresAt = info.ExpiresAt ?? throw new ArgumentException("A stored token must have an expiry.", nameof(info));
        var ttl = MillisecondsUntil(expiresAt);
        var db = await _connection.GetDatabaseAsync(cancellationToken);
        if (ttl == 0)
        {
            // Expired already: not written, and nothing saved earlier under this hash answers for it any longer.
            await DeleteAsync(db, hash);
            return;
        }

        var value = CompactTokenInfoSerializer.Serialize(info);
        if (!_readLegacy)
        {
            await db.StringSetAsync(Key(hash), value, TimeSpan.FromMilliseconds(ttl));
            return;
        }

        var set = db.StringSetAsync(Key(hash), value, TimeSpan.FromMilliseconds(ttl));
        var legacy = db.KeyDeleteAsync(LegacyKey(hash));
        await Task.WhenAll(set, legacy);
    }

    public async Task<TokenInfo?> FindAsync(TokenHash hash, CancellationToken cancellationToken = default)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken);
        if (!_readLegacy)
        {
            var value = await db.StringGetAsync(Key(hash));
            return value.IsNull ? null : CompactTokenInfoSerializer.Deserialize(((ReadOnlyMemory<byte>)value).Span);
        }

        // Both sent before either answer is awaited: pipelined on the connection, one round trip, so that a miss — an
        // unknown token, or one of the old format — costs no second one. Not an IBatch: a batch fails at once while the
        // connection is being re-established, where single commands wait in its backlog (bounded by asyncTimeout).
        var current = db.StringGetAsync(Key(hash));
        var legacy = db.HashGetAsync(LegacyKey(hash), LegacyDataField);
        await Task.WhenAll(current, legacy);
        if (!current.Result.IsNull)
        {
            return CompactTokenInfoSerializer.Deserialize(((ReadOnlyMemory<byte>)current.Result).Span);
        }

        return legacy.Result.IsNull ? null : TokenInfoSerializer.Deserialize(((ReadOnlyMemory<byte>)legacy.Result).Span);
    }

    public async Task RemoveAsync(TokenHash hash, CancellationToken cancellationToken = default)
        => await DeleteAsync(await _connection.GetDatabaseAsync(cancellationToken), hash);

    /// <summary>The key of <paramref name="hash"/>'s entry.</summary>
    internal string Key(TokenHash hash)
    {
        // Straight from the hash's 32 bytes into one string: no hex on the way.
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        hash.CopyTo(digest);
        Span<char> encoded = stackalloc char[EncodedHashLength];
        Base64Url.EncodeToChars(digest, encoded);
        return string.Concat(_prefix.AsSpan(), encoded);
    }

    /// <summary>The key the previous format (<see cref="DistributedCacheTokenStore"/> over a RedisCache) used.</summary>
    internal string LegacyKey(TokenHash hash) => string.Concat(_prefix, hash.Value);

    private async Task DeleteAsync(IDatabase db, TokenHash hash)
    {
        if (!_readLegacy)
        {
            await db.KeyDeleteAsync(Key(hash));
            return;
        }

        // Two DELs, pipelined, rather than one with two keys: in a cluster the keys may hash to different slots.
        var current = db.KeyDeleteAsync(Key(hash));
        var legacy = db.KeyDeleteAsync(LegacyKey(hash));
        await Task.WhenAll(current, legacy);
    }

    /// <summary>
    /// Whole milliseconds from now to <paramref name="instant"/>, rounded down so that the entry never outlives the token;
    /// 0 when less than one is left.
    /// </summary>
    private long MillisecondsUntil(DateTimeOffset instant)
    {
        var milliseconds = (instant - _timeProvider.GetUtcNow()).TotalMilliseconds;
        return milliseconds <= 0 ? 0 : (long)Math.Floor(milliseconds);
    }
}
