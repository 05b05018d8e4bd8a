namespace TokenAuth;

/// <summary>
/// Checks one access token against a backend: local JWT validation, a token store, or a remote
/// authority. Implementations must not log, store or cache the raw token, and must report a backend
/// that cannot answer as <see cref="TokenCheckStatus.Unavailable"/> rather than throwing or
/// calling the token invalid.
/// </summary>
public interface ITokenValidator
{
    /// <summary>Validates <paramref name="token"/>.</summary>
    /// <param name="token">The token as the client sent it; already checked for shape (length, characters).</param>
    /// <param name="cancellationToken">Cancelled when the request is aborted.</param>
    /// <returns>Valid with a <see cref="TokenInfo"/>, invalid with a reason, or unavailable.</returns>
    ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken);
}
