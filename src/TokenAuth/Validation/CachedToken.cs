using System.ComponentModel;

namespace TokenAuth;

/// <summary>
/// One cached answer: what a valid token says, or why an invalid one was refused, and until when the answer may be used
/// (Unix milliseconds, by the scheme's clock) — checked on every read, whatever the cache layers' own lifetimes.
/// Immutable, so that a memory hit hands out the same instance without copying it.
/// </summary>
/// <param name="Info">What a valid token says; <see langword="null"/> for an invalid one.</param>
/// <param name="Failure">Why an invalid token was refused.</param>
/// <param name="Until">The end of the answer's use, in Unix milliseconds.</param>
[ImmutableObject(true)]
internal sealed record CachedToken(TokenInfo? Info, string? Failure, long Until)
{
    /// <summary>What a payload that cannot be read becomes: an answer already out of date, so that it is fetched again.</summary>
    public static CachedToken Unreadable { get; } = new(null, null, 0);

    private TokenValidationResult? _result;

    // Set on an instance read back from Redis; the first lookup to see it counts an L2 hit, later ones (memory) an L1 hit.
    private int _fromDistributed;

    // Set on an instance a factory has just made (the Until it would have had for the policy's whole duration); the first
    // lookup to see it knows its own call made it.
    private long _freshFullUntil;

    /// <summary>Marks an instance a cache factory has just made.</summary>
    internal CachedToken MarkFresh(long fullUntil)
    {
        _freshFullUntil = fullUntil;
        return this;
    }

    /// <summary>Whether a factory has just made this instance and no lookup has taken that yet; with the full-duration Until.</summary>
    internal bool TakeFresh(out long fullUntil)
    {
        fullUntil = Interlocked.Exchange(ref _freshFullUntil, 0);
        return fullUntil != 0;
    }

    /// <summary>Marks an instance deserialized from the second level.</summary>
    internal CachedToken MarkDistributed()
    {
        _fromDistributed = 1;
        return this;
    }

    /// <summary>Whether this instance came from the second level and no lookup has said so yet.</summary>
    internal bool TakeDistributedMark() => Interlocked.Exchange(ref _fromDistributed, 0) == 1;

    public bool IsUsableAt(DateTimeOffset now) => now.ToUnixTimeMilliseconds() < Until;

    /// <summary>The answer as a validation result, made once per instance (a memory hit costs no allocation).</summary>
    public TokenValidationResult ToResult(DateTimeOffset now)
    {
        if (Info?.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            return TokenValidationResult.Invalid(Messages.Expired(expiresAt));
        }

        return _result ??= Info is not null ? TokenValidationResult.Valid(Info) : TokenValidationResult.Invalid(Failure ?? "The token is not active.");
    }
}
