using Microsoft.AspNetCore.Authorization;

namespace TokenAuth;

/// <summary>
/// Marks a controller, action or endpoint as requiring an authenticated caller whose token holds at least
/// one of the given scopes. A caller without them gets 403 <c>insufficient_scope</c> with <c>scope="…"</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireScopeAttribute : AuthorizeAttribute, IAuthorizationRequirementData
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="scopes">The scopes, any one of which suffices.</param>
    public RequireScopeAttribute(params string[] scopes) => Scopes = scopes;

    /// <summary>The scopes, any one of which suffices.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [new ScopeRequirement(Scopes)];
}
