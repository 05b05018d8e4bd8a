using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace TokenAuth;

/// <summary>
/// TokenAuth's validation cache. The first level is this node's memory: one map per kind and scheme, keyed by the token's
/// <see cref="TokenHash"/> (32 bytes held inline), so that a hit builds no key and allocates nothing; at most
/// <see cref="TokenCacheOptions.MemoryEntryLimit"/> entries each. Behind it, a keyed <see cref="HybridCache"/> of its own
/// (its memory level off) gives the second level — Redis, when <c>AddTokenAuthRedisCache</c> or <c>AddTokenAuthRedisStore</c>
/// registered it — and one validation for concurrent misses. Second-level entries are keyed
/// <c>tokenauth:c:&lt;kind&gt;:&lt;SHA-256 hex of the token&gt;</c>. Entries hold what the token says and until when: no raw
/// token is ever a key, a value or a log line.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>An answer is kept for min(the policy's duration, the token's expiry); an invalid one for the policy's short
/// invalid duration, if any. Every read checks that the answer is still in use by the scheme's clock, whatever the layers'
/// own lifetimes say, and fetches it again otherwise.</item>
/// <item>Concurrent lookups of one token share one validation (HybridCache's stampede protection). A caller that gives up
/// cancels only its own wait: the validation goes on while anyone waits for it.</item>
/// <item>HybridCache itself writes nothing: the caller whose lookup ran the validation stores the answer in Redis, for
/// what is left of its use, before it answers (HybridCache would write it in the background after the waiters are
/// released, for the policy's full duration — a write that could land after a shortened one and outlive the token, and
/// that another node could not yet read). A validation that is unavailable (or not worth keeping) is handed to the
/// waiters as a transient answer and stored nowhere, so the next request asks again.</item>
/// <item>Redis errors are a miss (HybridCache reads around them), and the second level is given a short deadline, so a
/// hung Redis does not hold a request.</item>
/// </list>
/// </remarks>
internal sealed class TokenCache(
    HybridCache cache, TimeProvider timeProvider, ILogger<TokenCache> logger, TokenAuthMetrics? metrics = null, int memoryEntryLimit = TokenCacheOptions.DefaultMemoryEntryLimit)
    : IRevocationListener
{
    // The first level: one map per (kind, scheme).
    private readonly ConcurrentDictionary<(TokenCacheKind Kind, string Scheme), Partition> _partitions = new();

    /// <summary>
    /// How long after a revocation the entry is removed once more: a lookup that read the source just before the revocation
    /// may store its answer just after the first removal. Wall-clock time on purpose: this is about a race, not a lifetime.
    /// </summary>
    internal static readonly TimeSpan SecondRemovalDelay = TimeSpan.FromSeconds(1);

    /// <summary>The tag of every entry, which <see cref="ClearLocalAsync"/> invalidates.</summary>
    internal const string Tag = "tokenauth";

    private static readonly string[] Tags = [Tag];

    private static readonly string[] KindNames = ["introspection", "jwt", "store"];

    // Every scheme whose answers are cached, so that RemoveAsync reaches all of their entries.
    private readonly ConcurrentDictionary<string, byte> _schemes = new(StringComparer.Ordinal) { [TokenAuthDefaults.AuthenticationScheme] = 0 };

    /// <summary>
    /// The entry key of <paramref name="hash"/> for <paramref name="kind"/> in <paramref name="scheme"/>:
    /// <c>tokenauth:c:&lt;kind&gt;:&lt;hash&gt;</c> for the default scheme, <c>tokenauth:c:&lt;kind&gt;:&lt;scheme&gt;:&lt;hash&gt;</c> for
    /// any other — two schemes may trust different authorities or keys, so one's answer must never serve the other.
    /// </summary>
    public static string Key(TokenCacheKind kind, string scheme, TokenHash hash)
        => scheme == TokenAuthDefaults.AuthenticationScheme
            ? string.Concat(TokenAuthDefaults.CacheKeyPrefix, KindNames[(int)kind], ":", hash.Value)
            : string.Concat(TokenAuthDefaults.CacheKeyPrefix, KindNames[(int)kind], ":", scheme, ":", hash.Value);

    /// <summary>The 12-digit hash prefix of an entry key, for logs.</summary>
    private static string HashPrefix(string key) => key[^64..^52];

    /// <summary>The memory level of one kind of answer of one scheme (a validator built for it), noting the scheme for revocations.</summary>
    public Partition For(TokenCacheKind kind, string scheme)
    {
        _schemes.TryAdd(scheme, 0);
        return _partitions.GetOrAdd((kind, scheme), static (key, limit) => new Partition(key.Kind, key.Scheme, limit), memoryEntryLimit);
    }

    /// <summary>The cached answer for the token, or <paramref name="validate"/>'s (shared with concurrent callers, and cached by <paramref name="policy"/>).</summary>
    public ValueTask<TokenCheckResult> GetOrValidateAsync<TState>(
        Partition partition,
        string token,
        TokenCachePolicy policy,
        TState state,
        Func<TState, CancellationToken, ValueTask<TokenCheckResult>> validate,
        CancellationToken cancellationToken)
    {
        if (policy.Duration <= TimeSpan.Zero)
        {
            return validate(state, cancellationToken);
        }

        // A memory hit is answered here, with no async state machine behind it.
        var hash = TokenHash.Compute(token);
        var now = timeProvider.GetUtcNow();
        if (partition.TryGet(hash, now, out var hit))
        {
            Report(partition.Kind, "l1");
            return new(hit.ToResult(now));
        }

        return FetchAsync(partition, hash, policy, state, validate, cancellationToken);
    }

    private async ValueTask<TokenCheckResult> FetchAsync<TState>(
        Partition partition,
        TokenHash hash,
        TokenCachePolicy policy,
        TState state,
        Func<TState, CancellationToken, ValueTask<TokenCheckResult>> validate,
        CancellationToken cancellationToken)
    {
        var kind = partition.Kind;
        var key = Key(kind, partition.Scheme, hash);
        // A struct: a lookup allocates no state. The entry a factory makes carries the mark of it (CachedToken.MarkFresh).
        var fetch = new Fetch<TState>(state, validate, policy, timeProvider);
        CachedToken entry;
        try
        {
            entry = await cache.GetOrCreateAsync(key, fetch, Fetch<TState>.Run, policy.Entry, Tags, cancellationToken);
            if (entry is null || (!entry.IsTransient && !entry.IsUsableAt(timeProvider.GetUtcNow())))
            {
                // Redis may hand back an old payload: an answer past its use is fetched again, reading neither layer.
                // Concurrent refreshes of one token still share one call.
                entry = await cache.GetOrCreateAsync(key, fetch, Fetch<TState>.Run, policy.Refresh, Tags, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The cache itself failed (the validator's own faults arrive as results): validate without it rather than fail.
            Log.TokenCacheFaulted(logger, HashPrefix(key), LogRedaction.Redact(ex));
            return await validate(state, cancellationToken);
        }

        if (entry.IsTransient)
        {
            // Shared by the callers of one validation, kept nowhere (see CachedToken.Transient).
            Report(kind, "miss");
            return entry.TransientResult;
        }

        // One caller of those that shared a factory's entry sees it fresh: it counts the miss and stores the entry in Redis.
        var ran = entry.TakeFresh();
        if (metrics is { CacheLookupsEnabled: true })
        {
            Report(kind, ran ? "miss" : entry.TakeDistributedMark() ? "l2" : "l1");
        }

        var now = timeProvider.GetUtcNow();
        if (ran && policy.Distributed)
        {
            await StoreAsync(key, entry, now);
        }

        partition.Set(hash, entry, now, timeProvider);
        return entry.ToResult(now);
    }

    private void Report(TokenCacheKind kind, string level) => metrics?.CacheLookup(KindNames[(int)kind], level);

    /// <summary>
    /// Forgets every cached answer about the token — introspection, JWT and store entries alike, of every scheme, in memory
    /// and in Redis — so that its next use is validated afresh (revocation). A lookup already in flight may still store
    /// its answer after this; a revocation that must win repeats the removal once the revocation is visible at the source.
    /// Throws when Redis cannot be reached (the memory entries are gone by then).
    /// </summary>
    /// <param name="hash">The token's hash.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    public ValueTask RemoveAsync(TokenHash hash, CancellationToken cancellationToken = default)
    {
        foreach (var partition in _partitions.Values)
        {
            partition.Remove(hash);
        }

        return cache.RemoveAsync(
            _schemes.Keys.SelectMany(scheme => KindNames.Select((_, kind) => Key((TokenCacheKind)kind, scheme, hash))).ToList(),
            cancellationToken);
    }

    /// <summary>
    /// The revocation messages that reach every node: a revoked token's entries go (now, twice — see below —, and once more a
    /// second later, for a lookup that read the source just before the revocation); after missed messages, everything this
    /// node holds in memory.
    /// </summary>
    public async ValueTask OnRevokedAsync(RevocationMessage message)
    {
        switch (message.Scope)
        {
            case RevocationScope.Token when message.Key is { } key:
                var hash = TokenHash.FromValue(key);
                _ = RemoveAgainLaterAsync(hash);
                await RemoveAsync(hash);
                // HybridCache drops the memory entry before the Redis one: a read in between finds the Redis copy and puts
                // it back in memory. Once the Redis copy is gone, one more removal leaves nothing to find.
                await RemoveAsync(hash);
                break;
            case RevocationScope.Everything:
                await ClearLocalAsync();
                break;
        }
    }

    private async Task RemoveAgainLaterAsync(TokenHash hash)
    {
        try
        {
            await Task.Delay(SecondRemovalDelay, TimeProvider.System);
            await RemoveAsync(hash);
        }
#pragma warning disable CA1031 // A background repeat: the first removal stands, and Redis faults are logged by the cache.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// Drops every entry this node holds in memory (all kinds, all tokens), e.g. after missing revocation messages. The node
    /// also stops trusting Redis entries written before the call, and fetches those again; other nodes keep their own
    /// memory entries (HybridCache tag invalidation of <see cref="Tag"/>, written to Redis as <c>__MSFT_HCT__tokenauth</c>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the Redis write.</param>
    public ValueTask ClearLocalAsync(CancellationToken cancellationToken = default)
    {
        foreach (var partition in _partitions.Values)
        {
            partition.Clear();
        }

        return cache.RemoveByTagAsync(Tag, cancellationToken);
    }

    private async ValueTask StoreAsync(string key, CachedToken entry, DateTimeOffset now)
    {
        // For what is left of the answer's use (HybridCache 10 cannot take an entry's lifetime from its factory's result),
        // so that Redis does not keep it past the token's expiry; awaited, so that once this node has answered, every node
        // finds the answer there. Within the second level's deadline: a hung Redis skips the write, it does not hold the request.
        try
        {
            var left = DateTimeOffset.FromUnixTimeMilliseconds(entry.Until) - now;
            if (left > TimeSpan.Zero)
            {
                await cache.SetAsync(key, entry, TokenCachePolicy.Store(left), Tags, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            // Other nodes validate the token themselves; this one keeps it in memory (its Until is checked on each read).
            Log.TokenCacheWriteFailed(logger, HashPrefix(key), LogRedaction.Redact(ex));
        }
    }

    /// <summary>
    /// The memory level of one kind of answer of one scheme: entries by token hash, each used until its
    /// <see cref="CachedToken.Until"/>. Bounded: past the limit, out-of-date entries go first, then arbitrary ones (a flood
    /// of made-up tokens costs other tokens a second-level read, never the node's memory). Out-of-date entries that are not
    /// read again are swept about once a minute.
    /// </summary>
    internal sealed class Partition(TokenCacheKind kind, string scheme, int limit)
    {
        private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

        // SHA-256 output is uniform and no client can choose it: its first word is the bucket hash.
        private readonly ConcurrentDictionary<TokenHash, CachedToken> _entries = new(TokenHashComparer.Instance);
        // When the last sweep was queued (Unix ms); 0 until the first entry, which starts the clock.
        private long _lastSweep;
        private int _sweeping;

        // ConcurrentDictionary.Count takes every lock: this count is kept beside it (exact but for racing clears).
        private int _count;

        public TokenCacheKind Kind => kind;

        public string Scheme => scheme;

        /// <summary>How many entries this level holds (for tests).</summary>
        internal int Count => _entries.Count;

        private bool TryRemove(KeyValuePair<TokenHash, CachedToken> item)
        {
            if (_entries.TryRemove(item))
            {
                Interlocked.Decrement(ref _count);
                return true;
            }

            return false;
        }

        public bool TryGet(TokenHash hash, DateTimeOffset now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CachedToken? entry)
        {
            if (_entries.TryGetValue(hash, out entry))
            {
                if (entry.IsUsableAt(now))
                {
                    return true;
                }

                // Only this instance: another request may have just put a fresh answer in its place.
                TryRemove(new KeyValuePair<TokenHash, CachedToken>(hash, entry));
            }

            entry = null;
            return false;
        }

        public void Set(TokenHash hash, CachedToken entry, DateTimeOffset now, TimeProvider timeProvider)
        {
            if (!entry.IsUsableAt(now) || limit <= 0)
            {
                return;
            }

            var nowMs = now.ToUnixTimeMilliseconds();
            if (Volatile.Read(ref _count) >= limit)
            {
                Trim(nowMs);
            }

            if (_entries.TryAdd(hash, entry))
            {
                Interlocked.Increment(ref _count);
            }
            else
            {
                _entries[hash] = entry;
            }
            var lastSweep = Interlocked.Read(ref _lastSweep);
            if (lastSweep == 0)
            {
                Interlocked.CompareExchange(ref _lastSweep, nowMs, 0);
            }
            else if (nowMs - lastSweep >= (long)SweepInterval.TotalMilliseconds && Interlocked.Exchange(ref _sweeping, 1) == 0)
            {
                Interlocked.Exchange(ref _lastSweep, nowMs);
                ThreadPool.UnsafeQueueUserWorkItem(
                    static state =>
                    {
                        var (partition, at) = state;
                        partition.RemoveOutOfDate(at);
                        Volatile.Write(ref partition._sweeping, 0);
                    },
                    (this, nowMs),
                    preferLocal: false);
            }
        }

        public void Remove(TokenHash hash)
        {
            if (_entries.TryRemove(hash, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }

        public void Clear()
        {
            _entries.Clear();
            Volatile.Write(ref _count, 0);
        }

        private void RemoveOutOfDate(long nowMs)
        {
            foreach (var (hash, entry) in _entries)
            {
                if (entry.Until <= nowMs)
                {
                    TryRemove(new KeyValuePair<TokenHash, CachedToken>(hash, entry));
                }
            }
        }

        private void Trim(long nowMs)
        {
            RemoveOutOfDate(nowMs);
            // Still full of answers in use: make room for a tenth of the limit at once, so the next inserts need no trim.
            var excess = Volatile.Read(ref _count) - (limit - Math.Max(1, limit / 10));
            foreach (var (hash, _) in _entries)
            {
                if (excess-- <= 0)
                {
                    break;
                }

                Remove(hash);
            }
        }
    }

    /// <summary>Hashes a <see cref="TokenHash"/> by its first word (uniform: it is SHA-256 output no client chooses).</summary>
    private sealed class TokenHashComparer : IEqualityComparer<TokenHash>
    {
        public static readonly TokenHashComparer Instance = new();

        public bool Equals(TokenHash x, TokenHash y) => x.Equals(y);

        public int GetHashCode(TokenHash obj) => obj.BucketHash;
    }

    /// <summary>One caller's factory: runs the validation at most once and says whether it ran.</summary>
    private readonly struct Fetch<TState>(TState state, Func<TState, CancellationToken, ValueTask<TokenCheckResult>> validate, TokenCachePolicy policy, TimeProvider timeProvider)
    {
        public static readonly Func<Fetch<TState>, CancellationToken, ValueTask<CachedToken>> Run = static (fetch, token) => fetch.RunAsync(token);

        private async ValueTask<CachedToken> RunAsync(CancellationToken cancellationToken)
        {
            TokenCheckResult result;
            try
            {
                // The token is the only thing this validation uses: never a request's HttpContext, which may be gone
                // (or be another request's) by the time a shared validation runs.
                result = await validate(state, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                result = TokenCheckResult.Unavailable("The token could not be checked.", ex);
            }

            var now = timeProvider.GetUtcNow();
            var nowMs = now.ToUnixTimeMilliseconds();
            switch (result.Status)
            {
                case TokenCheckStatus.Valid:
                    var until = (now + policy.Duration).ToUnixTimeMilliseconds();
                    if (result.Info!.ExpiresAt is { } expiresAt)
                    {
                        until = Math.Min(until, expiresAt.ToUnixTimeMilliseconds());
                    }

                    // A token expiring now is answered, not kept.
                    return until <= nowMs ? CachedToken.Transient(result) : new CachedToken(result.Info, null, until).MarkFresh();

                case TokenCheckStatus.Invalid when policy.InvalidDuration > TimeSpan.Zero:
                    return new CachedToken(null, result.Failure, (now + policy.InvalidDuration).ToUnixTimeMilliseconds()).MarkFresh();

                default:
                    // Unavailable, or invalid without negative caching: every waiter gets it, nothing is stored (and no
                    // exception is thrown for it: an unknown token is the common miss, and a flood of them must stay cheap).
                    return CachedToken.Transient(result);
            }
        }
    }
}
