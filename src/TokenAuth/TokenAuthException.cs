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

    /// <summary>The error code: <c>invalid_request</c>, <c>invalid_token</c> or <c>temporarily_unavailable</c>.</summary>
    public string Error { get; }

    /// <summary>400, 401 or 503.</summary>
    public int StatusCode { get; }

    /// <summary>For a 503: how long the client should wait.</summary>
    public TimeSpan? RetryAfter { get; init; }

    internal static TokenAuthException InvalidRequest(string description)
        => new(TokenAuthErrors.InvalidRequest, description, StatusCodes.Status400BadRequest);

    internal static TokenAuthException InvalidToken(string description, Exception? inner = null)
        => new(TokenAuthErrors.InvalidToken, description, StatusCodes.Status401Unauthorized, inner);

    internal static TokenAuthException Unavailable(string description, TimeSpan retryAfter, Exception? inner = null)
        => new(TokenAuthErrors.TemporarilyUnavailable, description, StatusCodes.Status503ServiceUnavailable, inner) { RetryAfter = retryAfter };
}
