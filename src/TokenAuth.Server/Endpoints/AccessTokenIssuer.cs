using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Server;

/// <summary>
/// Mints access tokens: 256 random bits from the OS CSPRNG, base64url, saved in the <see cref="ITokenStore"/>
/// by hash; or a signed JWT when <see cref="TokenServerOptions.SigningCredentials"/> is set.
/// </summary>
internal sealed class AccessTokenIssuer(ITokenStore store, IOptions<TokenServerOptions> options, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _jwtHandler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>Issues an access token, and a refresh token valid until <paramref name="refreshExpiresAt"/> when given.</summary>
    public async Task<IssuedToken> IssueAsync(TokenInfo template, TimeSpan lifetime, DateTimeOffset? refreshExpiresAt, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var info = template with { IssuedAt = now, ExpiresAt = now + lifetime };

        var serverOptions = options.Value;
        string accessToken;
        if (serverOptions.SigningCredentials is { } credentials)
        {
            accessToken = CreateJwt(info, credentials, serverOptions);
        }
        else
        {
            accessToken = NewOpaqueToken();
            await SaveAsync(TokenHash.Compute(accessToken), info, cancellationToken);
        }

        string? refreshToken = null;
        if (refreshExpiresAt is { } refreshExpiry && refreshExpiry > now)
        {
            refreshToken = NewOpaqueToken();
            var grant = info with { ExpiresAt = refreshExpiry };
            await SaveAsync(RefreshHash(refreshToken), grant, cancellationToken);
        }

        return new IssuedToken(accessToken, lifetime, info.Scopes, refreshToken);
    }

    /// <summary>
    /// Takes a refresh token out of the store (rotation: each one is good once) and returns its grant,
    /// or <see langword="null"/> when it is unknown, used, revoked or expired.
    /// </summary>
    public async Task<TokenInfo?> RedeemRefreshTokenAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var hash = RefreshHash(refreshToken);
        try
        {
            var grant = await store.FindAsync(hash, cancellationToken);
            if (grant is not null)
            {
                await store.RemoveAsync(hash, cancellationToken);
            }

            return grant is { ExpiresAt: { } expiresAt } && expiresAt > timeProvider.GetUtcNow() ? grant : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new TokenStoreUnavailableException(ex);
        }
    }

    /// <summary>
    /// Refresh tokens live in the same store under a domain-separated hash, so a refresh token is never
    /// accepted as an access token, nor an access token as a refresh token.
    /// </summary>
    internal static TokenHash RefreshHash(string refreshToken) => TokenHash.Compute("refresh_token:" + refreshToken);

    private async Task SaveAsync(TokenHash hash, TokenInfo info, CancellationToken cancellationToken)
    {
        try
        {
            await store.SaveAsync(hash, info, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new TokenStoreUnavailableException(ex);
        }
    }

    /// <summary>32 bytes (256 bits) from the CSPRNG, base64url without padding: 43 characters.</summary>
    internal static string NewOpaqueToken() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private string CreateJwt(TokenInfo info, SigningCredentials credentials, TokenServerOptions serverOptions)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Jti] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
        };
        if (info.Subject is not null)
        {
            claims[JwtRegisteredClaimNames.Sub] = info.Subject;
        }

        if (info.ClientId is not null)
        {
            claims[TokenAuthClaimTypes.ClientId] = info.ClientId;
        }

        if (info.Scopes.Count > 0)
        {
            claims[TokenAuthClaimTypes.Scope] = string.Join(' ', info.Scopes);
        }

        if (info.TenantId is not null)
        {
            claims[TokenAuthClaimTypes.TenantId] = info.TenantId;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = serverOptions.Issuer,
            Audience = serverOptions.Audience,
            Claims = claims,
            Subject = info.Name is null ? null : new ClaimsIdentity([new Claim(TokenAuthClaimTypes.Name, info.Name)]),
            IssuedAt = info.IssuedAt!.Value.UtcDateTime,
            NotBefore = info.IssuedAt!.Value.UtcDateTime,
            Expires = info.ExpiresAt!.Value.UtcDateTime,
            SigningCredentials = credentials,
            // RFC 9068 §2.1: access-token JWTs are typed, so they cannot be confused with ID tokens.
            TokenType = "at+jwt",
        };
        return _jwtHandler.CreateToken(descriptor);
    }
}

/// <summary>The token store could not save a token: the endpoint answers 503, other faults stay faults.</summary>
internal sealed class TokenStoreUnavailableException(Exception inner) : Exception("The token store could not save a token.", inner);
