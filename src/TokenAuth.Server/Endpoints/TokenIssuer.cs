using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Server;

/// <summary>
/// Mints, reads and withdraws the server's tokens. Access tokens are 256 random bits (OS CSPRNG, base64url) saved in
/// the <see cref="ITokenStore"/> by hash, or signed JWTs when <see cref="TokenServerOptions.SigningCredentials"/> is
/// set. Refresh tokens and codes are saved in the <see cref="IGrantStore"/> under domain-separated hashes, so that no
/// kind of token is ever accepted as another. Store faults become <see cref="TokenStoreUnavailableException"/>.
/// </summary>
internal sealed class TokenIssuer(ITokenStore tokens, IGrantStore grants, ITokenRevoker revoker, IOptions<TokenServerOptions> options, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _jwtHandler = new() { SetDefaultTimesOnTokenCreation = false };

    public DateTimeOffset Now => timeProvider.GetUtcNow();

    /// <summary>
    /// Issues an access token from <paramref name="template"/>, and with <paramref name="family"/> registers it in that
    /// family and adds a refresh token when asked. Answers <see langword="null"/> when the family was revoked meanwhile:
    /// what was issued is withdrawn. Nothing half-issued is left behind when a store fails.
    /// </summary>
    public async Task<IssuedToken?> IssueAsync(TokenInfo template, TimeSpan lifetime, FamilyGrant? family, CancellationToken cancellationToken)
    {
        var now = Now;
        var info = template with { IssuedAt = now, NotBefore = null, ExpiresAt = now + lifetime };
        var serverOptions = options.Value;
        TokenHash? accessHash = null;
        TokenHash? refreshHandle = null;
        try
        {
            string accessToken;
            if (serverOptions.SigningCredentials is { } credentials)
            {
                accessToken = CreateJwt(info, credentials, serverOptions);
            }
            else
            {
                accessToken = NewOpaqueToken();
                accessHash = TokenHash.Compute(accessToken);
                await tokens.SaveAsync(accessHash.Value, info, cancellationToken);
            }

            string? refreshToken = null;
            if (family is not null)
            {
                var joined = accessHash is null
                    || await grants.AddToFamilyAsync(family.FamilyId, new FamilyMember(FamilyMemberKind.AccessToken, accessHash.Value), info.ExpiresAt.Value, cancellationToken);
                if (joined && family.WithRefreshToken && family.ExpiresAt > now)
                {
                    refreshToken = NewOpaqueToken();
                    refreshHandle = RefreshHandle(refreshToken);
                    var grant = new GrantRecord
                    {
                        Kind = GrantKind.RefreshToken,
                        FamilyId = family.FamilyId,
                        Token = template with { IssuedAt = null, NotBefore = null, ExpiresAt = null },
                        ExpiresAt = family.ExpiresAt,
                        RetainUntil = family.ExpiresAt,
                    };
                    await grants.SaveAsync(refreshHandle.Value, grant, cancellationToken);
                    joined = await grants.AddToFamilyAsync(family.FamilyId, new FamilyMember(FamilyMemberKind.Grant, refreshHandle.Value), family.ExpiresAt, cancellationToken);
                }

                if (!joined)
                {
                    // RFC 9700 §4.14.2: the family was revoked while this rotation ran; nothing of it may survive.
                    await WithdrawAsync(accessHash, refreshHandle);
                    return null;
                }
            }

            return new IssuedToken(accessToken, info, refreshToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await WithdrawAsync(accessHash, refreshHandle);
            throw new TokenStoreUnavailableException(ex);
        }
    }

    /// <summary>Issues an authorization code bound to <paramref name="grant"/>'s client, redirect URI, user and PKCE challenge.</summary>
    public async Task<string> IssueCodeAsync(GrantRecord grant, CancellationToken cancellationToken)
    {
        var code = NewOpaqueToken();
        var handle = CodeHandle(code);
        await StoreGuard.RunAsync(async () =>
        {
            await grants.SaveAsync(handle, grant, cancellationToken);
            await grants.AddToFamilyAsync(grant.FamilyId, new FamilyMember(FamilyMemberKind.Grant, handle), grant.RetainUntil, cancellationToken);
        }, cancellationToken);
        return code;
    }

    /// <summary>A new code's record: it expires after the code lifetime but is kept as long as the tokens it may issue, to recognise a replay.</summary>
    public GrantRecord NewCode(TokenInfo template, string? redirectUri, string? challenge, string? challengeMethod)
    {
        var now = Now;
        var serverOptions = options.Value;
        return new GrantRecord
        {
            Kind = GrantKind.AuthorizationCode,
            FamilyId = NewFamilyId(),
            Token = template,
            ExpiresAt = now + serverOptions.AuthorizationCodeLifetime,
            RetainUntil = now + serverOptions.AuthorizationCodeLifetime + serverOptions.RefreshTokenLifetime,
            RedirectUri = redirectUri,
            CodeChallenge = challenge,
            CodeChallengeMethod = challengeMethod,
        };
    }

    /// <summary>What an access token says, if it is live: looked up by hash, or validated as the server's own JWT.</summary>
    public async Task<TokenInfo?> ReadAccessTokenAsync(string token, CancellationToken cancellationToken)
    {
        var now = Now;
        TokenInfo? info;
        if (options.Value.SigningCredentials is not null && TokenShape.LooksLikeJwt(token))
        {
            info = await ReadJwtAsync(token);
        }
        else
        {
            info = await StoreGuard.RunAsync(() => tokens.FindAsync(TokenHash.Compute(token), cancellationToken), cancellationToken);
        }

        return info is { ExpiresAt: { } expiresAt } && expiresAt > now && !(info.NotBefore > now) ? info : null;
    }

    /// <summary>
    /// Finds a live access or refresh token, trying first the kind <paramref name="hint"/> names (RFC 7009 §2.1,
    /// RFC 7662 §2.1: a hint is only a hint). A used refresh token is no longer live.
    /// </summary>
    public async Task<FoundToken?> FindLiveAsync(string token, string? hint, CancellationToken cancellationToken)
    {
        if (hint == OAuthParameters.RefreshToken)
        {
            return await FindRefreshAsync(token, cancellationToken) ?? await FindAccessAsync(token, cancellationToken);
        }

        return await FindAccessAsync(token, cancellationToken) ?? await FindRefreshAsync(token, cancellationToken);
    }

    private async Task<FoundToken?> FindAccessAsync(string token, CancellationToken cancellationToken)
        => await ReadAccessTokenAsync(token, cancellationToken) is { } info ? new FoundToken(info, null) : null;

    private async Task<FoundToken?> FindRefreshAsync(string token, CancellationToken cancellationToken)
    {
        var grant = await FindGrantAsync(RefreshHandle(token), cancellationToken);
        return grant is { Kind: GrantKind.RefreshToken, ConsumedAt: null } && grant.ExpiresAt > Now ? new FoundToken(grant.Token with { ExpiresAt = grant.ExpiresAt }, grant) : null;
    }

    /// <summary>A refresh token's grant, consumed or not, while it is kept; <see langword="null"/> when unknown.</summary>
    public Task<GrantRecord?> FindGrantAsync(TokenHash handle, CancellationToken cancellationToken)
        => StoreGuard.RunAsync(() => grants.FindAsync(handle, cancellationToken), cancellationToken);

    /// <summary>Consumes a refresh token or code atomically (see <see cref="IGrantStore.ConsumeAsync"/>).</summary>
    public Task<GrantRecord?> ConsumeAsync(TokenHash handle, CancellationToken cancellationToken)
        => StoreGuard.RunAsync(() => grants.ConsumeAsync(handle, Now, cancellationToken), cancellationToken);

    /// <summary>
    /// Marks a redemption complete (see <see cref="IGrantStore.CompleteAsync"/>). Best effort: the tokens are issued
    /// already, and if the store fails here a presentation in the next seconds is merely not taken for a replay.
    /// </summary>
    public async Task CompleteAsync(TokenHash handle)
    {
        try
        {
            await grants.CompleteAsync(handle, Now, CancellationToken.None);
        }
#pragma warning disable CA1031 // The answer is given already; a failure here only weakens replay detection for a moment.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Revokes a whole family: its refresh tokens and codes, and every access token it issued (on every node).</summary>
    public Task RevokeFamilyAsync(string familyId, CancellationToken cancellationToken)
        => StoreGuard.RunAsync(async () =>
        {
            foreach (var accessToken in await grants.RevokeFamilyAsync(familyId, cancellationToken))
            {
                await revoker.RevokeAsync(accessToken, cancellationToken);
            }
        }, cancellationToken);

    /// <summary>Withdraws one access token, on every node (<see cref="ITokenRevoker"/>).</summary>
    public Task RevokeAccessTokenAsync(string token, CancellationToken cancellationToken)
        => StoreGuard.RunAsync(() => revoker.RevokeAsync(token, cancellationToken), cancellationToken);

    /// <summary>Whether access tokens are self-contained JWTs, which cannot be withdrawn.</summary>
    public bool IssuesJwts => options.Value.SigningCredentials is not null;

    /// <summary>Refresh tokens live under a domain-separated hash: never accepted as an access token or a code.</summary>
    internal static TokenHash RefreshHandle(string refreshToken) => TokenHash.Compute("refresh_token:" + refreshToken);

    /// <summary>Codes live under a domain-separated hash: never accepted as an access or refresh token.</summary>
    internal static TokenHash CodeHandle(string code) => TokenHash.Compute("authorization_code:" + code);

    /// <summary>A new token family with a refresh token, ending after the refresh-token lifetime.</summary>
    public FamilyGrant NewFamily() => new(NewFamilyId(), Now + options.Value.RefreshTokenLifetime, WithRefreshToken: true);

    /// <summary>128 random bits naming a grant family.</summary>
    internal static string NewFamilyId() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    /// <summary>32 bytes (256 bits) from the CSPRNG, base64url without padding: 43 characters.</summary>
    internal static string NewOpaqueToken() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private async Task WithdrawAsync(TokenHash? accessHash, TokenHash? refreshHandle)
    {
        // Best effort, without the request's token: a client that went away must not leave a live token behind.
        try
        {
            if (accessHash is { } access)
            {
                await tokens.RemoveAsync(access, CancellationToken.None);
            }

            if (refreshHandle is { } refresh)
            {
                await grants.ConsumeAsync(refresh, Now, CancellationToken.None);
            }
        }
#pragma warning disable CA1031 // The store is failing already; the original fault is what the caller reports.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task<TokenInfo?> ReadJwtAsync(string token)
    {
        var serverOptions = options.Value;
        var result = await _jwtHandler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = serverOptions.SigningCredentials!.Key,
            ValidIssuer = serverOptions.Issuer,
            ValidAudience = serverOptions.Audience,
            ValidAlgorithms = [serverOptions.SigningCredentials.Algorithm],
            ValidTypes = ["at+jwt"],
            // Lifetime is checked by the caller on the injected clock.
            ValidateLifetime = false,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        string? Claim(string type) => jwt.TryGetPayloadValue<string>(type, out var value) ? value : null;
        return new TokenInfo
        {
            Subject = Claim(JwtRegisteredClaimNames.Sub),
            Name = Claim(TokenAuthClaimTypes.Name),
            ClientId = Claim(TokenAuthClaimTypes.ClientId),
            Scopes = Claim(TokenAuthClaimTypes.Scope)?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [],
            TenantId = Claim(TokenAuthClaimTypes.TenantId),
            IssuedAt = jwt.IssuedAt == DateTime.MinValue ? null : new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero),
            NotBefore = jwt.ValidFrom == DateTime.MinValue ? null : new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero),
            ExpiresAt = jwt.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero),
        };
    }

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

        if (info.Roles.Count > 0)
        {
            claims[TokenAuthClaimTypes.Role] = info.Roles.ToArray();
        }

        foreach (var claim in info.Claims)
        {
            claims.TryAdd(claim.Type, claim.Value);
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

/// <summary>A live token the server issued: what it says, and for a refresh token its grant.</summary>
internal sealed record FoundToken(TokenInfo Info, GrantRecord? RefreshGrant)
{
    public bool IsRefreshToken => RefreshGrant is not null;
}
