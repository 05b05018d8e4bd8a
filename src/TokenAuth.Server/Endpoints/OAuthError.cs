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

    /// <summary>A body the client cut short (400) or sent too slowly (408): its fault, said as such.</summary>
    public static OAuthError BodyNotReceived(int statusCode)
        => new(OAuthErrors.InvalidRequest, statusCode == StatusCodes.Status408RequestTimeout ? "The request body was sent too slowly." : "The request body ended before its announced length.", statusCode);

    public static OAuthError TooLarge() => new(OAuthErrors.InvalidRequest, "The request body is too large.", StatusCodes.Status413PayloadTooLarge);

    public static OAuthError Unavailable(TimeSpan retryAfter)
        => new(OAuthErrors.TemporarilyUnavailable, "The token store is temporarily unavailable.", StatusCodes.Status503ServiceUnavailable, retryAfter);

    public static OAuthError Throttled(TimeSpan retryAfter)
        => new(OAuthErrors.TemporarilyUnavailable, "Too many failed authentication attempts; retry later.", StatusCodes.Status429TooManyRequests, retryAfter);

    /// <summary>
    /// Echoes client input only in a bounded, printable-ASCII form, without quotes or backslashes (the character set of
    /// RFC 6749 §5.2's <c>error_description</c>); anything else becomes <c>?</c>.
    /// </summary>
    public static string Printable(string value, int maxLength = 64)
    {
        return string.Create(Math.Min(value.Length, maxLength), value, static (chars, source) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                var c = source[i];
                chars[i] = c is >= ' ' and <= '~' && c != '"' && c != '\\' ? c : '?';
            }
        });
    }
}
