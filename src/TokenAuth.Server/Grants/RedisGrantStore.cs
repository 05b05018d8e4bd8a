using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace TokenAuth.Server;

/// <summary>
/// A grant store in Redis, shared by every node of a farm. Layout:
/// <list type="bullet">
/// <item><c>&lt;KeyPrefix&gt;&lt;hash hex&gt;</c>: a hash with field <c>record</c> (the <see cref="GrantRecord"/> as
/// compact JSON, without <see cref="GrantRecord.ConsumedAt"/>) and, once consumed, field <c>consumed</c> (the instant,
/// round-trip format), and once its redemption completed, field <c>redeemed</c>. One key per grant, so that saving, consuming and expiring it are each one atomic step; it
/// expires at <see cref="GrantRecord.RetainUntil"/>.</item>
/// <item><c>&lt;FamilyKeyPrefix&gt;&lt;id&gt;:members</c>: a set of <c>a:&lt;hex&gt;</c> (access tokens) and
/// <c>g:&lt;hex&gt;</c> (grant handles), expiring with its latest member.</item>
/// <item><c>&lt;FamilyKeyPrefix&gt;&lt;id&gt;:revoked</c>: the revocation marker. The fixed suffixes keep the two apart
/// whatever the family id holds.</item>
/// </list>
/// Every write that must be atomic is one Lua script. Expiries are sent as relative TTLs computed from the injected
/// <see cref="TimeProvider"/>, so Redis's own clock runs them and a skew between a node and Redis cannot stretch them.
/// The revocation script deletes grant keys it derives from the family's members, which are not declared as
/// <c>KEYS</c>: it is not cluster-slot-safe, and the store targets a single Redis primary.
/// Errors of Redis propagate (the endpoints answer 503); each call is bounded by the connection's
/// <c>asyncTimeout</c> and never retried here, since a retried consumption could look like a replay.
/// </summary>
internal sealed class RedisGrantStore : IGrantStore, IAsyncDisposable, IDisposable
{
    private const string RecordField = "record";
    private const string ConsumedField = "consumed";
    private const string RedeemedField = "redeemed";
    private const string AccessTokenTag = "a:";
    private const string GrantTag = "g:";

    // KEYS[1] grant; ARGV[1] JSON, ARGV[2] TTL ms, ARGV[3] consumed instant or '', ARGV[4] redeemed instant or ''.
    // Replaces whatever was there, consumption included, so a saved record is exactly what is found.
    private const string SaveScript = """
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'record', ARGV[1])
        if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'consumed', ARGV[3]) end
        if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'redeemed', ARGV[4]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    // KEYS[1] grant; ARGV[1] now. Returns nil (unknown) or {record, consumed-before or nil, redeemed or nil}; marks it
    // consumed when it was not. HSET leaves the key's TTL alone: the consumed record is kept until RetainUntil.
    private const string ConsumeScript = """
        local v = redis.call('HMGET', KEYS[1], 'record', 'consumed', 'redeemed')
        if not v[1] then return false end
        if not v[2] then redis.call('HSET', KEYS[1], 'consumed', ARGV[1]) end
        return v
        """;

    // KEYS[1] grant; ARGV[1] now. Marks a consumed grant's redemption complete, once.
    private const string CompleteScript = """
        local v = redis.call('HMGET', KEYS[1], 'consumed', 'redeemed')
        if v[1] and not v[2] then redis.call('HSET', KEYS[1], 'redeemed', ARGV[1]) end
        return 1
        """;

    // KEYS[1] members, KEYS[2] revoked marker; ARGV[1] member, ARGV[2] its TTL ms. 0 when revoked; otherwise adds a
    // live member and makes the set live at least as long as it (never shorter), and answers 1.
    private const string AddToFamilyScript = """
        if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
        local ttl = tonumber(ARGV[2])
        if ttl > 0 then
          redis.call('SADD', KEYS[1], ARGV[1])
          if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        end
        return 1
        """;

    // KEYS[1] members, KEYS[2] revoked marker; ARGV[1] grant key prefix, ARGV[2] shortest marker TTL ms. Marks the
    // family revoked for as long as it or an earlier marker would have lived (at least ARGV[2]), deletes the set and
    // every grant it names, and returns the access tokens' hex.
    private const string RevokeFamilyScript = """
        local keep = math.max(tonumber(ARGV[2]), redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]))
        redis.call('SET', KEYS[2], '1', 'PX', string.format('%d', keep))
        local members = redis.call('SMEMBERS', KEYS[1])
        redis.call('DEL', KEYS[1])
        local access = {}
        for _, m in ipairs(members) do
          local hex = string.sub(m, 3)
          if string.sub(m, 1, 2) == 'g:' then redis.call('DEL', ARGV[1] .. hex) else access[#access + 1] = hex end
        end
        return access
        """;

    private static readonly RedisValue[] GrantFields = [RecordField, ConsumedField, RedeemedField];

    private readonly TimeProvider _timeProvider;
    private readonly string _keyPrefix;
    private readonly string _familyKeyPrefix;
    private readonly ConfigurationOptions? _configuration;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnectionMultiplexer? _connection;
    private bool _disposed;

    /// <summary>Creates the store.</summary>
    /// <param name="options">Key prefixes, and the configuration string when <paramref name="connection"/> is not given.</param>
    /// <param name="timeProvider">The clock TTLs are computed from.</param>
    /// <param name="connection">The host's connection, used and never disposed; <see langword="null"/> to open and own one.</param>
    public RedisGrantStore(IOptions<RedisGrantStoreOptions> options, TimeProvider timeProvider, IConnectionMultiplexer? connection = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var value = options.Value;
        value.Validate();
        _timeProvider = timeProvider;
        _keyPrefix = value.KeyPrefix;
        _familyKeyPrefix = value.FamilyKeyPrefix;
        _connection = connection;
        if (connection is null)
        {
            if (value.Configuration is null)
            {
                throw new InvalidOperationException($"{nameof(RedisGrantStoreOptions.Configuration)} is required when no IConnectionMultiplexer is given.");
            }

            _configuration = ConfigurationOptions.Parse(value.Configuration);
            // Connect in the background and keep reconnecting: an outage fails calls (503), it must not fail the store for good.
            _configuration.AbortOnConnectFail = false;
            // StackExchange.Redis would otherwise put the full key — prefix and whole hash — into its exception messages,
            // which end up in logs; the README promises a 12-digit hash prefix at most.
            _configuration.IncludeDetailInExceptions = false;
        }
    }

    public async Task SaveAsync(TokenHash handle, GrantRecord grant, CancellationToken cancellationToken = default)
    {
        var key = GrantKey(handle);
        GrantStoreRules.Validate(grant);
        var db = await DatabaseAsync(cancellationToken);
        var ttl = MillisecondsUntil(grant.RetainUntil);
        if (ttl == 0)
        {
            // Kept until RetainUntil, which has passed: not kept at all, and nothing older stays under the handle.
            await db.KeyDeleteAsync(key);
            return;
        }

        var json = GrantRecordSerializer.Serialize(grant with { ConsumedAt = null, RedeemedAt = null });
        var consumed = grant.ConsumedAt is { } at ? Stamp(at) : string.Empty;
        var redeemed = grant.RedeemedAt is { } done ? Stamp(done) : string.Empty;
        await db.ScriptEvaluateAsync(SaveScript, [key], [json, ttl, consumed, redeemed]);
    }

    public async Task<GrantRecord?> FindAsync(TokenHash handle, CancellationToken cancellationToken = default)
    {
        var key = GrantKey(handle);
        var db = await DatabaseAsync(cancellationToken);
        var fields = await db.HashGetAsync(key, GrantFields);
        return fields[0].IsNull ? null : Read((byte[])fields[0]!, (string?)fields[1], (string?)fields[2]);
    }

    public async Task<GrantRecord?> ConsumeAsync(TokenHash handle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var key = GrantKey(handle);
        var db = await DatabaseAsync(cancellationToken);
        var result = await db.ScriptEvaluateAsync(ConsumeScript, [key], [Stamp(now)]);
        if (result.IsNull)
        {
            return null;
        }

        var fields = (RedisResult[])result!;
        return Read((byte[])fields[0]!, (string?)fields[1], (string?)fields[2]);
    }

    public async Task CompleteAsync(TokenHash handle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var key = GrantKey(handle);
        var db = await DatabaseAsync(cancellationToken);
        await db.ScriptEvaluateAsync(CompleteScript, [key], [Stamp(now)]);
    }

    public async Task<bool> AddToFamilyAsync(string familyId, FamilyMember member, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(familyId);
        GrantStoreRules.Validate(member);
        var db = await DatabaseAsync(cancellationToken);
        var tagged = string.Concat(member.Kind == FamilyMemberKind.Grant ? GrantTag : AccessTokenTag, member.Hash.Value);
        var result = await db.ScriptEvaluateAsync(AddToFamilyScript, FamilyKeys(familyId), [tagged, MillisecondsUntil(expiresAt)]);
        return (long)result == 1;
    }

    public async Task<IReadOnlyList<TokenHash>> RevokeFamilyAsync(string familyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(familyId);
        var db = await DatabaseAsync(cancellationToken);
        var minimum = (long)GrantStoreRules.RevokedFamilyRetention.TotalMilliseconds;
        var result = await db.ScriptEvaluateAsync(RevokeFamilyScript, FamilyKeys(familyId), [_keyPrefix, minimum]);
        var hexes = (string?[]?)result ?? [];
        return [.. hexes.Select(hex => TokenHash.FromValue(hex ?? string.Empty))];
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        if (_configuration is not null)
        {
            Interlocked.Exchange(ref _connection, null)?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, true);
        if (_configuration is not null && Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync();
        }
    }

    private static string Stamp(DateTimeOffset instant) => instant.ToString("O", CultureInfo.InvariantCulture);

    private static GrantRecord Read(byte[] json, string? consumed, string? redeemed)
        => GrantRecordSerializer.Deserialize(json) with { ConsumedAt = Instant(consumed), RedeemedAt = Instant(redeemed) };

    private static DateTimeOffset? Instant(string? stamp)
        => stamp is null ? null : DateTimeOffset.ParseExact(stamp, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private RedisKey GrantKey(TokenHash handle, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(handle))] string? parameter = null)
        => string.Concat(_keyPrefix, GrantStoreRules.Key(handle, parameter));

    private RedisKey[] FamilyKeys(string familyId)
        => [string.Concat(_familyKeyPrefix, familyId, ":members"), string.Concat(_familyKeyPrefix, familyId, ":revoked")];

    /// <summary>Whole milliseconds from now to <paramref name="instant"/>, rounded up; 0 when it has passed.</summary>
    private long MillisecondsUntil(DateTimeOffset instant)
    {
        var milliseconds = (instant - _timeProvider.GetUtcNow()).TotalMilliseconds;
        return milliseconds <= 0 ? 0 : (long)Math.Ceiling(milliseconds);
    }

    private async ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        // Redis commands cannot be cancelled once sent (and a consumption must not be abandoned half-way): the token is
        // honoured up to here, the command itself is bounded by asyncTimeout.
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (Volatile.Read(ref _connection) is { } connection)
        {
            return connection.GetDatabase();
        }

        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            connection = _connection;
            if (connection is null)
            {
                // Bounded by connectTimeout; with abortConnect=false it returns a reconnecting connection even when Redis is down.
                connection = await ConnectionMultiplexer.ConnectAsync(_configuration!);
                Volatile.Write(ref _connection, connection);
                if (Volatile.Read(ref _disposed))
                {
                    Interlocked.Exchange(ref _connection, null)?.Dispose();
                    throw new ObjectDisposedException(nameof(RedisGrantStore));
                }
            }

            return connection.GetDatabase();
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
