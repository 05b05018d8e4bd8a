using Microsoft.AspNetCore.Http;

namespace TokenAuth.Server;

/// <summary>An error answer: an RFC 6749 §5.2 code, a description, the HTTP status, and a <c>Retry-After</c> for 429 and 503.</summary>
internal sealed record OAuthError(string Error, string Description, int StatusCode = StatusCodes.Status400BadRequest, TimeSpan? RetryAfter = null)
{
    public static OAuthError InvalidRequest(string description) => new(OAuthErrors.InvalidRequest, description);

    public static OAuthError InvalidClient(string description) => new(OAuthErrors.InvalidClient, description, StatusCodes.Status401Unauthorized);

    public static OAuthError InvalidGrant(string description) => new(OAuthErrors.InvalidGrant, description);

    public static OAuthError UnauthorizedClient(string description) => new(OAuthErrors.UnauthorizedClient, description);

    public static OAuthError InvalidScope(string description) => new(OAuthErrors.InvalidScope, description);

    public static OAuthError TooLarge() => new(OAuthErrors.InvalidRequest, "The request body is too large.", StatusCodes.Status413PayloadTooLarge);

    public static OAuthError Unavailable(TimeSpan retryAfter)
        => new(OAuthErrors.TemporarilyUnavailable, "The token store is temporarily unavailable.", StatusCodes.Status503ServiceUnavailable, retryAfter);

    public static OAuthError Throttled(TimeSpan retryAfter)
        => new(OAuthErrors.TemporarilyUnavailable, "Too many failed authentication attempts; retry later.", StatusCodes.Status429TooManyRequests, retryAfter);

    /// <summary>Echoes client input only in a bounded, printable-ASCII form, without quotes or backslashes.</summary>
    public static string Printable(string value)
    {
        var span = value.AsSpan(0, Math.Min(value.Length, 64));
        return string.Create(span.Length, value, static (chars, source) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                var c = source[i];
                chars[i] = c is >= ' ' and <= '~' && c != '"' && c != '\\' ? c : '?';
            }
        });
    }
}
