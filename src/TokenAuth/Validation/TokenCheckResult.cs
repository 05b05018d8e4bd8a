namespace TokenAuth;

/// <summary>
/// The answer of an <see cref="ITokenValidator"/>: valid (with what the token says), invalid (with why), or unavailable (the
/// backend could not answer: 503, never 401). Not named <c>TokenValidationResult</c>, which is IdentityModel's: a validator
/// written on <c>JsonWebTokenHandler</c> imports both namespaces and needs no alias.
/// </summary>
public sealed class TokenCheckResult
{
    private TokenCheckResult(TokenCheckStatus status, TokenInfo? info, string? failure, TimeSpan? retryAfter, Exception? exception)
    {
        Status = status;
        Info = info;
        Failure = failure;
        RetryAfter = retryAfter;
        Exception = exception;
    }

    /// <summary>Whether the token is valid, invalid, or could not be checked.</summary>
    public TokenCheckStatus Status { get; }

    /// <summary>The token's description when <see cref="Status"/> is <see cref="TokenCheckStatus.Valid"/>.</summary>
    public TokenInfo? Info { get; }

    /// <summary>
    /// Why the token was refused or could not be checked, phrased for the client
    /// (it becomes <c>error_description</c>). Never contains token material.
    /// </summary>
    public string? Failure { get; }

    /// <summary>How long a client should wait before retrying when the backend is unavailable.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The exception behind the answer, for logs and events; never sent to the client.</summary>
    public Exception? Exception { get; }

    /// <summary>
    /// An invalid answer meaning "this backend does not know the token" (not: expired, revoked, refused), so that another
    /// backend may still be asked — a token-store miss goes on to introspection.
    /// </summary>
    internal bool IsUnknown { get; private init; }

    /// <summary>Creates a result for a valid token (the same instance for the same <paramref name="info"/>: results are immutable).</summary>
    /// <param name="info">What the token says.</param>
    public static TokenCheckResult Valid(TokenInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.Derived.Valid;
    }

    internal static TokenCheckResult CreateValid(TokenInfo info) => new(TokenCheckStatus.Valid, info, null, null, null);

    /// <summary>Creates a result for a token that is not valid.</summary>
    /// <param name="failure">Why, phrased for the client, without token material.</param>
    /// <param name="exception">The exception behind it, if any.</param>
    public static TokenCheckResult Invalid(string failure, Exception? exception = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(failure);
        return new(TokenCheckStatus.Invalid, null, failure, null, exception);
    }

    /// <summary>An invalid answer because the backend does not know the token (see <see cref="IsUnknown"/>).</summary>
    internal static TokenCheckResult Unknown(string failure) => new(TokenCheckStatus.Invalid, null, failure, null, null) { IsUnknown = true };

    /// <summary>Creates a result for a backend that could not answer.</summary>
    /// <param name="failure">What was unavailable, phrased for the client.</param>
    /// <param name="exception">The exception behind it, if any.</param>
    /// <param name="retryAfter">A hint for <c>Retry-After</c>; the scheme's default when <see langword="null"/>.</param>
    public static TokenCheckResult Unavailable(string failure, Exception? exception = null, TimeSpan? retryAfter = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(failure);
        return new(TokenCheckStatus.Unavailable, null, failure, retryAfter, exception);
    }
}
