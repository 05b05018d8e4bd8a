using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>
/// Context of <see cref="TokenAuthEvents.Impersonating"/>: a sudo request is about to act as <see cref="Target"/>.
/// Audit it, adjust <see cref="Principal"/>, or <see cref="Deny"/> it (403).
/// </summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
public class ImpersonatingContext(HttpContext context, AuthenticationScheme scheme, TokenAuthOptions options)
    : BaseContext<TokenAuthOptions>(context, scheme, options)
{
    /// <summary>The token owner's principal: the actor.</summary>
    public required ClaimsPrincipal Caller { get; init; }

    /// <summary>The sudo value as parsed.</summary>
    public required SudoTarget Requested { get; init; }

    /// <summary>The user the store found.</summary>
    public required SudoUser Target { get; init; }

    /// <summary>The tenant the request is scoped to, if any.</summary>
    public TenantInfo? Tenant { get; init; }

    /// <summary>The principal the request will run as; may be replaced.</summary>
    public required ClaimsPrincipal Principal { get; set; }

    /// <summary>Why the impersonation was denied, when it was.</summary>
    public string? DenyReason { get; private set; }

    /// <summary>Refuses the impersonation: the request is answered 403.</summary>
    /// <param name="reason">A client-facing reason.</param>
    public void Deny(string reason) => DenyReason = string.IsNullOrWhiteSpace(reason) ? "Impersonation was denied." : reason;
}
