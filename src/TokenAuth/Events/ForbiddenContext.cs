using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>
/// Context of <see cref="TokenAuthEvents.Forbidden"/>: the caller is authenticated but not allowed.
/// Write your own response and call <see cref="HandleResponse"/> to replace TokenAuth's 403.
/// </summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
/// <param name="properties">The forbid call's properties.</param>
public class ForbiddenContext(HttpContext context, AuthenticationScheme scheme, TokenAuthOptions options, AuthenticationProperties properties)
    : PropertiesContext<TokenAuthOptions>(context, scheme, options, properties)
{
    /// <summary>The scopes that would have allowed the request, when a scope requirement failed (RFC 6750 §3.1 <c>insufficient_scope</c>).</summary>
    public IReadOnlyList<string> RequiredScopes { get; set; } = [];

    /// <summary>Whether the application wrote the response itself.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips TokenAuth's response: the application has written its own.</summary>
    public void HandleResponse() => Handled = true;
}
