using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>Context of <see cref="TokenAuthEvents.MessageReceived"/>: runs before the token sources are read.</summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
public class MessageReceivedContext(HttpContext context, AuthenticationScheme scheme, TokenAuthOptions options)
    : ResultContext<TokenAuthOptions>(context, scheme, options)
{
    /// <summary>A token found by the application; when set, the configured sources are not read.</summary>
    public string? Token { get; set; }
}
