namespace TokenAuth;

/// <summary>
/// Withdraws tokens on every node of a farm: removes the token from the <see cref="ITokenStore"/>, and tells every
/// node — this one included — to drop what it holds about it (cached validations, in memory and in Redis). With Redis
/// configured the message travels on a Redis channel, so a revoke on one node is honoured by all within about a
/// second; a node that was cut off from Redis drops its whole local cache when it reconnects, since it may have missed
/// messages. The token server's revoke endpoints use it; so can a host's own code (log out, a password change).
/// Faults of the store or of Redis propagate: a revocation that may not have reached every node is not reported done.
/// </summary>
public interface ITokenRevoker
{
    /// <summary>Revokes an access token everywhere, by its hash.</summary>
    /// <param name="hash">The token's hash.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task RevokeAsync(TokenHash hash, CancellationToken cancellationToken = default);

    /// <summary>Tells every node to forget what it cached about a tenant (after the tenant changed or was removed).</summary>
    /// <param name="tenant">The tenant's id or code; <see langword="null"/> for every tenant.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task ForgetTenantAsync(string? tenant, CancellationToken cancellationToken = default);

    /// <summary>Tells every node to forget what it cached about a user sudo may act as (after the user changed or was removed).</summary>
    /// <param name="userId">The user's id; <see langword="null"/> for every user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task ForgetUserAsync(string? userId, CancellationToken cancellationToken = default);
}

/// <summary>Conveniences of <see cref="ITokenRevoker"/>.</summary>
public static class TokenRevokerExtensions
{
    /// <summary>Revokes an access token everywhere.</summary>
    /// <param name="revoker">The revoker.</param>
    /// <param name="token">The raw token; it is hashed at once and never stored or sent.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public static Task RevokeAsync(this ITokenRevoker revoker, string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(revoker);
        ArgumentNullException.ThrowIfNull(token);
        return revoker.RevokeAsync(TokenHash.Compute(token), cancellationToken);
    }
}
