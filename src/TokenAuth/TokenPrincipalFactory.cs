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
        // Indexed, not foreach: an IReadOnlyList's enumerator is a boxed allocation on every request.
        for (var i = 0; i < info.Scopes.Count; i++)
        {
            Add(identity, TokenAuthClaimTypes.Scope, info.Scopes[i], issuer);
        }

        for (var i = 0; i < info.Roles.Count; i++)
        {
            Add(identity, TokenAuthClaimTypes.Role, info.Roles[i], issuer);
        }

        if (info.Derived.Expiration is { } expiration)
        {
            identity.AddClaim(new Claim(TokenAuthClaimTypes.Expiration, expiration, ClaimValueTypes.Integer64, issuer, issuer, identity));
        }

        for (var i = 0; i < info.Claims.Count; i++)
        {
            var claim = info.Claims[i];
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
            // Created with the identity as its subject: AddClaim clones any claim that belongs to no identity yet.
            identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, issuer, issuer, identity));
        }
    }
}
