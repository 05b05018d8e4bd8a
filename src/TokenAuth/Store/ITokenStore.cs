namespace TokenAuth;

/// <summary>
/// Persists what opaque tokens mean. Entries are addressed by <see cref="TokenHash"/>, so an
/// implementation never sees a raw token. An entry must not outlive <see cref="TokenInfo.ExpiresAt"/>.
/// Implementations throw when their backend cannot be reached; the validator turns that into a 503.
/// </summary>
public interface ITokenStore
{
    /// <summary>Saves <paramref name="info"/> under <paramref name="hash"/> until the token expires.</summary>
    /// <param name="hash">The token's hash.</param>
    /// <param name="info">What the token means; <see cref="TokenInfo.ExpiresAt"/> is required.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task SaveAsync(TokenHash hash, TokenInfo info, CancellationToken cancellationToken = default);

    /// <summary>Finds the token's entry, or <see langword="null"/> when unknown, revoked or expired.</summary>
    /// <param name="hash">The token's hash.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<TokenInfo?> FindAsync(TokenHash hash, CancellationToken cancellationToken = default);

    /// <summary>Removes the token's entry (revocation). Removing an unknown token is not an error.</summary>
    /// <param name="hash">The token's hash.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task RemoveAsync(TokenHash hash, CancellationToken cancellationToken = default);
}
