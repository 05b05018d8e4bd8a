using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>
/// Why TokenAuth refused a request: an RFC 6750 error code, the status it maps to, and a client-facing
/// description (the message). It never carries token material, so it is safe to log and to show.
/// </summary>
public sealed class TokenAuthException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The error code, e.g. <c>invalid_token</c>.</param>
    /// <param name="description">The client-facing description.</param>
    /// <param name="statusCode">The status code it answers.</param>
    /// <param name="innerException">The cause, for logs.</param>
    public TokenAuthException(string error, string description, int statusCode, Exception? innerException = null)
        : base(description, innerException)
    {
        Error = error;
        StatusCode = statusCode;
    }

    /// <summary>The error code: see <see cref="TokenAuthErrors"/>.</summary>
    public string Error { get; }

    /// <summary>400, 401, 403, 404 or 503.</summary>
    public int StatusCode { get; }

    /// <summary>For <c>insufficient_scope</c>: the scope the request needed (the challenge's <c>scope</c>).</summary>
    public string? Scope { get; init; }

    /// <summary>For a 503: how long the client should wait.</summary>
    public TimeSpan? RetryAfter { get; init; }

    internal static TokenAuthException InvalidRequest(string description)
        => new(TokenAuthErrors.InvalidRequest, description, StatusCodes.Status400BadRequest);

    internal static TokenAuthException InvalidToken(string description, Exception? inner = null)
        => new(TokenAuthErrors.InvalidToken, description, StatusCodes.Status401Unauthorized, inner);

    internal static TokenAuthException Unavailable(string description, TimeSpan retryAfter, Exception? inner = null)
        => new(TokenAuthErrors.TemporarilyUnavailable, description, StatusCodes.Status503ServiceUnavailable, inner) { RetryAfter = retryAfter };

    internal static TokenAuthException InsufficientScope(string description, string scope)
        => new(TokenAuthErrors.InsufficientScope, description, StatusCodes.Status403Forbidden) { Scope = scope };

    internal static TokenAuthException AccessDenied(string description)
        => new(TokenAuthErrors.AccessDenied, description, StatusCodes.Status403Forbidden);

    internal static TokenAuthException NotFound(string description)
        => new(TokenAuthErrors.NotFound, description, StatusCodes.Status404NotFound);
}
