namespace TokenAuth;

/// <summary>Options of TokenAuth's validation cache (<c>services.Configure&lt;TokenCacheOptions&gt;(…)</c>).</summary>
public sealed class TokenCacheOptions
{
    /// <summary>
    /// How long a read or write of the second level (Redis) may take before it counts as a miss (or a skipped write), so
    /// that a hung Redis costs a request this much at most, not the client's own timeouts. Default 500 ms.
    /// </summary>
    public TimeSpan DistributedCacheTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The default of <see cref="MemoryEntryLimit"/>.</summary>
    public const int DefaultMemoryEntryLimit = 100_000;

    /// <summary>
    /// How many answers this node keeps in memory, per scheme and kind (introspection, JWT, store). Past it, out-of-date
    /// entries are dropped first, then arbitrary ones: a flood of made-up tokens cannot grow the node's memory, it only
    /// costs other tokens a second-level read or a new validation. Zero keeps none in memory. Default 100,000 (a few
    /// hundred bytes each).
    /// </summary>
    public int MemoryEntryLimit { get; set; } = DefaultMemoryEntryLimit;
}
