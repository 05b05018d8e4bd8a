namespace TokenAuth;

/// <summary>Options of TokenAuth's validation cache (<c>services.Configure&lt;TokenCacheOptions&gt;(…)</c>).</summary>
public sealed class TokenCacheOptions
{
    /// <summary>
    /// How long a read or write of the second level (Redis) may take before it counts as a miss (or a skipped write), so
    /// that a hung Redis costs a request this much at most, not the client's own timeouts. Default 500 ms.
    /// </summary>
    public TimeSpan DistributedCacheTimeout { get; set; } = TimeSpan.FromMilliseconds(500);
}
