using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>
/// Context of <see cref="TokenAuthEvents.Challenge"/>: the request needs authentication and has none that is valid.
/// Set the fields to change the answer, or write your own response and call <see cref="HandleResponse"/>.
/// </summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
/// <param name="properties">The challenge's properties.</param>
public class TokenAuthChallengeContext(HttpContext context, AuthenticationScheme scheme, TokenAuthOptions options, AuthenticationProperties properties)
    : PropertiesContext<TokenAuthOptions>(context, scheme, options, properties)
{
    /// <summary>The failure of authentication, if a token was present: <see cref="TokenAuthException"/> for TokenAuth's own.</summary>
    public Exception? AuthenticateFailure { get; set; }

    /// <summary>
    /// The status code: 401; 400 for <c>invalid_request</c>; 403 or 404 for a sudo or tenant the caller may not use
    /// or that does not exist; 503 when a backend is unavailable.
    /// </summary>
    public int StatusCode { get; set; } = StatusCodes.Status401Unauthorized;

    /// <summary>The RFC 6750 <c>error</c>, e.g. <c>invalid_token</c>; <see langword="null"/> for a bare challenge.</summary>
    public string? Error { get; set; }

    /// <summary>The RFC 6750 <c>error_description</c>.</summary>
    public string? ErrorDescription { get; set; }

    /// <summary>The RFC 6750 <c>error_uri</c>.</summary>
    public string? ErrorUri { get; set; }

    /// <summary>The RFC 6750 <c>scope</c> of an <c>insufficient_scope</c> answer.</summary>
    public string? Scope { get; set; }

    /// <summary>The <c>Retry-After</c> sent with a 503.</summary>
    public TimeSpan? RetryAfter { get; set; }

    /// <summary>Whether the application wrote the response itself.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips TokenAuth's response: the application has written its own.</summary>
    public void HandleResponse() => Handled = true;
}
