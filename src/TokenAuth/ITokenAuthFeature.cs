using System.Security.Claims;

namespace TokenAuth;

/// <summary>What TokenAuth learned about the current request; read it from <c>HttpContext.Features</c>.</summary>
public interface ITokenAuthFeature
{
    /// <summary>Where the token was found.</summary>
    TokenSource Source { get; }

    /// <summary>The raw token, only when <see cref="TokenAuthOptions.SaveToken"/> is on.</summary>
    string? Token { get; }

    /// <summary>What the validator said of the token.</summary>
    TokenInfo TokenInfo { get; }

    /// <summary>The token owner's principal when another one replaced it (sudo); otherwise <see langword="null"/>.</summary>
    ClaimsPrincipal? OriginalPrincipal { get; }

    /// <summary>The tenant the request is scoped to (<c>tenantId</c>/<c>tenantCode</c>, or the token's own), if any.</summary>
    TenantInfo? Tenant { get; }
}
