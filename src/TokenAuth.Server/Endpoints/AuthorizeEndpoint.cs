using Microsoft.AspNetCore.Http;

namespace TokenAuth.Server;

/// <summary>The authorization endpoint (RFC 6749 §3.1): login page, consent page, redirect with a code or a token.</summary>
internal sealed class AuthorizeEndpoint
{
    public static Task HandleAsync(HttpContext context, ServerEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        context.Response.StatusCode = StatusCodes.Status501NotImplemented;
        return Task.CompletedTask;
    }
}
