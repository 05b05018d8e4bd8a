namespace TokenAuth.Server;

/// <summary>
/// Issues the server's tokens from a host's own code — a login page, a sign-up flow, an admin tool — exactly as the token
/// endpoint issues them: the same opaque tokens (or JWTs, with <see cref="TokenServerOptions.SigningCredentials"/>), the
/// same stores, lifetimes and claims, and refresh tokens that the endpoint's <c>refresh_token</c> grant rotates and a
/// replay of which revokes the family. The host vouches for whom it names: no password or client secret is checked
/// here, so never expose this to a caller the host has not authenticated.
/// </summary>
public interface ITokenIssuer
{
    /// <summary>Issues an access token (and a refresh token, if asked for or the client is allowed the grant).</summary>
    /// <param name="request">For whom, through which client, with which scopes.</param>
    /// <param name="cancellationToken">Cancels the store writes (nothing half-issued is left behind).</param>
    /// <returns>The tokens, to hand to the client.</returns>
    /// <exception cref="ArgumentException">The client is unknown, a scope is not allowed to it, a refresh token is asked
    /// for a client without the <c>refresh_token</c> grant, or the lifetime is not positive.</exception>
    /// <exception cref="TokenStoreUnavailableException">A store failed: answer 503, as the token endpoint does.</exception>
    Task<IssuedTokens> IssueAsync(TokenIssueRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="ITokenIssuer.IssueAsync"/> is to issue.</summary>
public sealed class TokenIssueRequest
{
    /// <summary>The client the token is issued to (one of <see cref="TokenServerOptions.Clients"/> or the <see cref="IClientStore"/>).</summary>
    public required string ClientId { get; init; }

    /// <summary>
    /// The user the token acts for, as the password and code grants would make it (subject, name, roles, tenant,
    /// <c>preferred_username</c>); <see langword="null"/> for the client's own token, as <c>client_credentials</c> makes it.
    /// </summary>
    public TokenUser? User { get; init; }

    /// <summary>The scopes; each must be one of the client's allowed scopes. <see langword="null"/>: all of them.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>
    /// Whether to issue a refresh token: <see langword="null"/> (the default) when the client is allowed the
    /// <c>refresh_token</c> grant, as the token endpoint does.
    /// </summary>
    public bool? WithRefreshToken { get; init; }

    /// <summary>The access token's lifetime; default the client's, else <see cref="TokenServerOptions.AccessTokenLifetime"/>.</summary>
    public TimeSpan? Lifetime { get; init; }
}

/// <summary>Tokens issued by <see cref="ITokenIssuer"/>.</summary>
/// <param name="AccessToken">The access token (never logged or stored raw by TokenAuth: keep it that way).</param>
/// <param name="ExpiresAt">When the access token expires.</param>
/// <param name="Scopes">The scopes it carries.</param>
/// <param name="RefreshToken">The refresh token, if one was issued.</param>
public sealed record IssuedTokens(string AccessToken, DateTimeOffset ExpiresAt, IReadOnlyList<string> Scopes, string? RefreshToken)
{
    /// <summary>The token type, for an RFC 6749 answer: <c>Bearer</c>.</summary>
    public string TokenType { get; init; } = TokenAuthDefaults.BearerScheme;

    /// <inheritdoc/>
    public override string ToString() => $"IssuedTokens {{ ExpiresAt = {ExpiresAt:O}, Scopes = {string.Join(' ', Scopes)} }}";
}
