using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace TokenAuth.OpenApi;

/// <summary>What an endpoint's authorization asks of a TokenAuth token.</summary>
/// <param name="ScopeAlternatives">
/// The sets of scopes any one of which satisfies every <see cref="ScopeRequirement"/> of the policy (a requirement wants one
/// of its scopes, the policy wants every requirement): <c>[[]]</c> when no scope is required.
/// </param>
/// <param name="RequiresTenant">Whether the policy requires a tenant (<c>RequireTenant()</c>).</param>
internal sealed record EndpointAuthorization(IReadOnlyList<IReadOnlyList<string>> ScopeAlternatives, bool RequiresTenant)
{
    // Beyond this many alternatives the requirements list stops being readable; the scopes are then given per requirement.
    private const int MaxAlternatives = 16;

    /// <summary>
    /// Combines the endpoint's policy as the authorization middleware does (<see cref="IAuthorizeData"/>,
    /// <see cref="AuthorizationPolicy"/> and <see cref="IAuthorizationRequirementData"/> metadata, the fallback policy), and
    /// answers <see langword="null"/> when the endpoint is not authorized with <paramref name="authenticationScheme"/>.
    /// </summary>
    public static async Task<EndpointAuthorization?> ReadAsync(IList<object> metadata, IServiceProvider services, string authenticationScheme)
    {
        // TokenAuth reads no token there (the token server's own endpoints), and anonymous endpoints are not authorized.
        if (metadata.OfType<SkipTokenAuthenticationAttribute>().Any() || metadata.OfType<IAllowAnonymous>().Any())
        {
            return null;
        }

        var policy = await AuthorizationPolicy.CombineAsync(
            services.GetRequiredService<IAuthorizationPolicyProvider>(), metadata.OfType<IAuthorizeData>(), metadata.OfType<AuthorizationPolicy>());
        var requirementData = metadata.OfType<IAuthorizationRequirementData>().SelectMany(d => d.GetRequirements()).ToList();
        if (requirementData.Count > 0)
        {
            var fromData = new AuthorizationPolicyBuilder().AddRequirements([.. requirementData]).Build();
            policy = policy is null ? fromData : AuthorizationPolicy.Combine(policy, fromData);
        }

        if (policy is null || !await AuthenticatesWithAsync(policy, services, authenticationScheme))
        {
            return null;
        }

        return new EndpointAuthorization(
            Alternatives([.. policy.Requirements.OfType<ScopeRequirement>()]),
            policy.Requirements.OfType<ClaimsAuthorizationRequirement>().Any(r => r.ClaimType == TokenAuthClaimTypes.TenantId));
    }

    private static async Task<bool> AuthenticatesWithAsync(AuthorizationPolicy policy, IServiceProvider services, string authenticationScheme)
    {
        if (policy.AuthenticationSchemes.Count > 0)
        {
            return policy.AuthenticationSchemes.Contains(authenticationScheme, StringComparer.Ordinal);
        }

        // A policy naming no scheme is authenticated by the default one (the policy evaluator's rule).
        var defaultScheme = await services.GetRequiredService<IAuthenticationSchemeProvider>().GetDefaultAuthenticateSchemeAsync();
        return defaultScheme?.Name == authenticationScheme;
    }

    private static List<IReadOnlyList<string>> Alternatives(List<ScopeRequirement> requirements)
    {
        List<IReadOnlyList<string>> alternatives = [[]];
        foreach (var requirement in requirements)
        {
            var next = alternatives
                .SelectMany(chosen => requirement.AllowedScopes.Select(scope => chosen.Contains(scope, StringComparer.Ordinal) ? chosen : [.. chosen, scope]))
                .Select(set => (IReadOnlyList<string>)[.. set.Order(StringComparer.Ordinal)])
                .DistinctBy(set => string.Join(' ', set))
                .ToList();
            if (next.Count > MaxAlternatives)
            {
                // Too many combinations: one set of all the scopes named, over-stating what is needed rather than listing 17+.
                return [[.. requirements.SelectMany(r => r.AllowedScopes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]];
            }

            alternatives = next;
        }

        return alternatives;
    }
}
