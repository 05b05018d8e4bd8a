using Microsoft.Extensions.Caching.Hybrid;

namespace TokenAuth;

/// <summary>How one kind of answer is cached, with the entry options made once (they are read on every request).</summary>
internal sealed class TokenCachePolicy
{
    // HybridCache's own memory level is off (TokenCache keeps the first level itself, keyed by the token hash), and its
    // lookups never write: TokenCache stores an answer in the second level itself, for the answer's own lifetime.
    private const HybridCacheEntryFlags LookupFlags = HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableDistributedCacheWrite;

    /// <param name="duration">How long a valid answer is kept at most (never past the token's expiry); zero caches nothing.</param>
    /// <param name="invalidDuration">How long an invalid answer is kept; zero keeps none.</param>
    /// <param name="distributed">Whether the second level (Redis) is used, or memory only.</param>
    public TokenCachePolicy(TimeSpan duration, TimeSpan invalidDuration, bool distributed)
    {
        Duration = duration;
        InvalidDuration = invalidDuration;
        Distributed = distributed;
        var flags = LookupFlags | (distributed ? HybridCacheEntryFlags.None : HybridCacheEntryFlags.DisableDistributedCache);
        Entry = new HybridCacheEntryOptions { Expiration = duration, LocalCacheExpiration = duration, Flags = flags };
        // A refresh skips the second level's read too (the answer there is out of date): it only shares the call.
        Refresh = new HybridCacheEntryOptions
        {
            Expiration = duration,
            LocalCacheExpiration = duration,
            Flags = flags | HybridCacheEntryFlags.DisableLocalCacheRead | HybridCacheEntryFlags.DisableDistributedCacheRead,
        };
    }

    public TimeSpan Duration { get; }

    public TimeSpan InvalidDuration { get; }

    /// <summary>Whether answers go to the second level (Redis); otherwise HybridCache keeps nothing and only shares calls.</summary>
    public bool Distributed { get; }

    /// <summary>The options of a lookup: reads the second level (if any), shares the call, writes nothing.</summary>
    public HybridCacheEntryOptions Entry { get; }

    /// <summary>The options of a lookup whose cached answer was out of date.</summary>
    public HybridCacheEntryOptions Refresh { get; }

    /// <summary>Options that store an entry in the second level for <paramref name="lifetime"/> (and not in HybridCache's memory).</summary>
    public static HybridCacheEntryOptions Store(TimeSpan lifetime) => new() { Expiration = lifetime, LocalCacheExpiration = lifetime, Flags = HybridCacheEntryFlags.DisableLocalCache };
}
