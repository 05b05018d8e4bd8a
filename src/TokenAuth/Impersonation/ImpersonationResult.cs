using System.Security.Claims;

namespace TokenAuth;

/// <summary>The principal a request runs as after sudo and tenant scoping, or why it may not run.</summary>
internal readonly record struct ImpersonationResult(ClaimsPrincipal Principal, ClaimsPrincipal? Original, TenantInfo? Tenant, TokenAuthException? Failure)
{
    public static ImpersonationResult Fail(TokenAuthException failure) => new(null!, null, null, failure);
}
