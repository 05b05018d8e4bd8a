using System.Globalization;
using System.Security.Claims;

namespace TokenAuth;

/// <summary>Builds the principal of a validated token from its <see cref="TokenInfo"/>.</summary>
internal static class TokenPrincipalFactory
{
    public static ClaimsPrincipal Create(TokenInfo info, string authenticationType, string issuer)
    {
        var identity = new ClaimsIdentity(authenticationType, TokenAuthClaimTypes.Name, TokenAuthClaimTypes.Role);
        Add(identity, TokenAuthClaimTypes.Subject, info.Subject, issuer);
        Add(identity, TokenAuthClaimTypes.Name, info.Name, issuer);
        Add(identity, TokenAuthClaimTypes.ClientId, info.ClientId, issuer);
        Add(identity, TokenAuthClaimTypes.TenantId, info.TenantId, issuer);
        foreach (var scope in info.Scopes)
        {
            Add(identity, TokenAuthClaimTypes.Scope, scope, issuer);
        }

        foreach (var role in info.Roles)
        {
            Add(identity, TokenAuthClaimTypes.Role, role, issuer);
        }

        if (info.ExpiresAt is { } expiresAt)
        {
            identity.AddClaim(new Claim(TokenAuthClaimTypes.Expiration, expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64, issuer));
        }

        foreach (var claim in info.Claims)
        {
            if (!identity.HasClaim(claim.Type, claim.Value))
            {
                Add(identity, claim.Type, claim.Value, issuer);
            }
        }

        return new ClaimsPrincipal(identity);
    }

    private static void Add(ClaimsIdentity identity, string type, string? value, string issuer)
    {
        if (!string.IsNullOrEmpty(value))
        {
            identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, issuer));
        }
    }
}
