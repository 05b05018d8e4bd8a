using TokenAuth;

namespace Microsoft.AspNetCore.Authorization;

/// <summary>Scope policies for TokenAuth principals.</summary>
public static class TokenAuthPolicyExtensions
{
    /// <summary>Requires an authenticated user whose token holds at least one of <paramref name="scopes"/>.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The scopes, any one of which suffices.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scopes));
    }

    /// <summary>
    /// Requires an authenticated user scoped to a tenant: by <c>tenantId</c>/<c>tenantCode</c>, or by a token bound to one.
    /// </summary>
    /// <param name="builder">The policy builder.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequireTenant(this AuthorizationPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.RequireAuthenticatedUser().RequireClaim(TokenAuthClaimTypes.TenantId);
    }
}
