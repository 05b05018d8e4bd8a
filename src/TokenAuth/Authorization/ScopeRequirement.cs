using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>
/// Requires the user to hold at least one of <see cref="AllowedScopes"/>, read from <c>scope</c> claims
/// (one per scope, or space-separated) or <c>scp</c>. It is its own handler, so no registration is needed.
/// </summary>
public sealed class ScopeRequirement : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    /// <summary>Creates the requirement.</summary>
    /// <param name="allowedScopes">The scopes, any one of which suffices.</param>
    public ScopeRequirement(IEnumerable<string> allowedScopes)
    {
        ArgumentNullException.ThrowIfNull(allowedScopes);
        AllowedScopes = [.. allowedScopes];
        if (AllowedScopes.Count == 0 || AllowedScopes.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains(' ', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Give at least one scope; scopes are single words.", nameof(allowedScopes));
        }
    }

    /// <summary>The scopes, any one of which suffices.</summary>
    public IReadOnlyList<string> AllowedScopes { get; }

    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        foreach (var claim in context.User.Claims)
        {
            if (claim.Type is not (TokenAuthClaimTypes.Scope or "scp"))
            {
                continue;
            }

            foreach (var scope in claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (requirement.AllowedScopes.Contains(scope, StringComparer.Ordinal))
                {
                    context.Succeed(requirement);
                    return Task.CompletedTask;
                }
            }
        }

        if (context.User.Identity?.IsAuthenticated == true && GetHttpContext(context.Resource) is { } httpContext)
        {
            ScopeFailure.Add(httpContext, requirement.AllowedScopes);
        }

        context.Fail(new AuthorizationFailureReason(this, $"The token lacks one of the scopes: {string.Join(' ', requirement.AllowedScopes)}."));
        return Task.CompletedTask;
    }

    private static HttpContext? GetHttpContext(object? resource) => resource switch
    {
        HttpContext http => http,
        Microsoft.AspNetCore.Mvc.Filters.AuthorizationFilterContext mvc => mvc.HttpContext,
        _ => null,
    };

    /// <inheritdoc />
    public override string ToString() => $"ScopeRequirement: one of {string.Join(' ', AllowedScopes)}";
}
