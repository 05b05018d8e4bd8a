using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>Context of <see cref="TokenAuthEvents.AuthenticationFailed"/>: a token was found and refused, or could not be checked.</summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
/// <param name="exception">Why; see <see cref="TokenAuthException.StatusCode"/> for 400, 401, 403, 404 or 503.</param>
public class AuthenticationFailedContext(HttpContext context, AuthenticationScheme scheme, TokenAuthOptions options, TokenAuthException exception)
    : ResultContext<TokenAuthOptions>(context, scheme, options)
{
    /// <summary>The failure. Its message is the client-facing description and never holds token material.</summary>
    public TokenAuthException Exception { get; set; } = exception;
}
