using System.ComponentModel;
using System.Text.Json.Serialization;

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

    private TokenCheckResult? _result;

    /// <summary>
    /// An answer for the callers that shared one validation and for nobody after them (an unknown token, an outage, a token
    /// expiring now): HybridCache writes nothing a factory returns (TokenCache stores answers itself), so the cache
    /// keeps it nowhere.
    /// </summary>
    public static CachedToken Transient(TokenCheckResult result) => new(result.Info, result.Failure, 0) { _result = result, IsTransient = true };

    /// <summary>Whether this answer is <see cref="Transient"/>: returned to its callers, never kept (so never serialized).</summary>
    [JsonIgnore]
    public bool IsTransient { get; private init; }

    /// <summary>A <see cref="Transient"/> entry's result, as the validator gave it.</summary>
    [JsonIgnore]
    public TokenCheckResult TransientResult => IsTransient ? _result! : throw new InvalidOperationException("Not a transient answer.");

    // Set on an instance read back from Redis; the first lookup to see it counts an L2 hit, later ones (memory) an L1 hit.
    private int _fromDistributed;

    // Set on an instance a factory has just made; the first lookup to see it knows its own call made it.
    private int _fresh;

    /// <summary>Marks an instance a cache factory has just made.</summary>
    internal CachedToken MarkFresh()
    {
        _fresh = 1;
        return this;
    }

    /// <summary>Whether a factory has just made this instance and no lookup has taken that yet.</summary>
    internal bool TakeFresh() => Interlocked.Exchange(ref _fresh, 0) != 0;

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
    public TokenCheckResult ToResult(DateTimeOffset now)
    {
        if (Info?.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            return TokenCheckResult.Invalid(Messages.Expired(expiresAt));
        }

        return _result ??= Info is not null ? TokenCheckResult.Valid(Info) : TokenCheckResult.Invalid(Failure ?? "The token is not active.");
    }
}
