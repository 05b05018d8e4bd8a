using Microsoft.Extensions.Caching.Hybrid;

namespace TokenAuth;

/// <summary>How one kind of answer is cached, with the entry options made once (they are read on every request).</summary>
internal sealed class TokenCachePolicy
{
    /// <param name="duration">How long a valid answer is kept at most (never past the token's expiry); zero caches nothing.</param>
    /// <param name="invalidDuration">How long an invalid answer is kept; zero keeps none.</param>
    /// <param name="distributed">Whether the second level (Redis) is used, or memory only.</param>
    public TokenCachePolicy(TimeSpan duration, TimeSpan invalidDuration, bool distributed)
    {
        Duration = duration;
        InvalidDuration = invalidDuration;
        // HybridCache's own memory level is off: TokenCache keeps the first level itself, keyed by the token hash.
        Flags = HybridCacheEntryFlags.DisableLocalCache | (distributed ? HybridCacheEntryFlags.None : HybridCacheEntryFlags.DisableDistributedCache);
        Entry = For(duration);
        // A refresh skips the second level's read (the answer there is out of date) but writes it again.
        Refresh = new HybridCacheEntryOptions
        {
            Expiration = duration,
            LocalCacheExpiration = duration,
            Flags = Flags | HybridCacheEntryFlags.DisableLocalCacheRead | HybridCacheEntryFlags.DisableDistributedCacheRead,
        };
    }

    public TimeSpan Duration { get; }

    public TimeSpan InvalidDuration { get; }

    public HybridCacheEntryFlags Flags { get; }

    /// <summary>The options of a lookup.</summary>
    public HybridCacheEntryOptions Entry { get; }

    /// <summary>The options of a lookup whose cached answer was out of date.</summary>
    public HybridCacheEntryOptions Refresh { get; }

    /// <summary>Options that keep an entry <paramref name="lifetime"/> in both layers.</summary>
    public HybridCacheEntryOptions For(TimeSpan lifetime) => new() { Expiration = lifetime, LocalCacheExpiration = lifetime, Flags = Flags };
}
