using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// <see cref="ITokenIssuer"/> over the token endpoint's own parts: the client store, its scope rule and user claims, and
/// <see cref="TokenIssuer"/> (stores, families, refresh tokens).
/// </summary>
internal sealed class HostTokenIssuer(TokenIssuer issuer, IClientStore clients, IOptions<TokenServerOptions> options) : ITokenIssuer
{
    public async Task<IssuedTokens> IssueAsync(TokenIssueRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.ClientId, nameof(request));
        if (request.Lifetime is { } asked && asked <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The lifetime must be positive; it is {asked}.", nameof(request));
        }

        var client = await StoreGuard.RunAsync(() => clients.FindByIdAsync(request.ClientId, cancellationToken), cancellationToken)
            ?? throw new ArgumentException($"No client '{request.ClientId}' is registered.", nameof(request));
        var (scopes, scopeError) = TokenEndpoint.ResolveScopes(client, request.Scopes is null ? null : string.Join(' ', request.Scopes));
        if (scopeError is not null)
        {
            throw new ArgumentException(scopeError.Description, nameof(request));
        }

        var withRefresh = request.WithRefreshToken ?? client.Allows(GrantTypes.RefreshToken);
        if (withRefresh && !client.Allows(GrantTypes.RefreshToken))
        {
            throw new ArgumentException($"The client '{client.ClientId}' is not allowed the refresh_token grant: it would be issued a refresh token it cannot use.", nameof(request));
        }

        var template = request.User is { } user
            ? TokenEndpoint.ForUser(client, user, scopes)
            : TokenEndpoint.ForClient(client, scopes);
        var family = withRefresh ? issuer.NewFamily() : null;
        var lifetime = request.Lifetime ?? client.AccessTokenLifetime ?? options.Value.AccessTokenLifetime;
        var issued = await issuer.IssueAsync(template, lifetime, family, cancellationToken)
            ?? throw new InvalidOperationException("The new token family was revoked while it was issued.");
        return new IssuedTokens(issued.AccessToken, issued.Info.ExpiresAt!.Value, issued.Info.Scopes, issued.RefreshToken);
    }
}
