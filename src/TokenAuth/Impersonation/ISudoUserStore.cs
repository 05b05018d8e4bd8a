using System.Security.Claims;

namespace TokenAuth;

/// <summary>
/// Resolves the target of a sudo request. Host-provided; register with <c>AddTokenAuthSudo&lt;T&gt;()</c>.
/// </summary>
public interface ISudoUserStore
{
    /// <summary>Finds the user <paramref name="target"/> names.</summary>
    /// <param name="target">The parsed sudo value.</param>
    /// <param name="tenant">The tenant the request is scoped to, if any: the same uid may be another user in another tenant.</param>
    /// <param name="cancellationToken">Cancelled when the request is aborted.</param>
    /// <returns>The user, or <see langword="null"/> when there is none (404).</returns>
    ValueTask<SudoUser?> FindUserAsync(SudoTarget target, TenantInfo? tenant, CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="caller"/> may act as <paramref name="user"/> — e.g. refuse administrators. A refusal is 403.
    /// The default allows every user found, administrators included: a store that keeps it makes the sudo scope the only gate.
    /// </summary>
    /// <param name="caller">The token owner's principal.</param>
    /// <param name="user">The user found.</param>
    /// <param name="cancellationToken">Cancelled when the request is aborted.</param>
    ValueTask<bool> CanImpersonateAsync(ClaimsPrincipal caller, SudoUser user, CancellationToken cancellationToken)
        => ValueTask.FromResult(true);
}
