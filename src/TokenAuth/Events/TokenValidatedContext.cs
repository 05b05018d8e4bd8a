using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>Context of <see cref="TokenAuthEvents.TokenValidated"/>: the token is valid and the principal built.</summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
/// <param name="tokenInfo">What the token says.</param>
/// <param name="source">Where the token was found.</param>
public class TokenValidatedContext(HttpContext context, AuthenticationScheme scheme, TokenAuthOptions options, TokenInfo tokenInfo, TokenSource source)
    : ResultContext<TokenAuthOptions>(context, scheme, options)
{
    /// <summary>What the validator said of the token.</summary>
    public TokenInfo TokenInfo { get; } = tokenInfo;

    /// <summary>Where the token was found.</summary>
    public TokenSource Source { get; } = source;
}
