using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Server;

/// <summary>Options of the token server.</summary>
public sealed class TokenServerOptions
{
    /// <summary>
    /// The endpoints, one profile each. Default: the RFC ones — token (<c>/oauth/token</c>), authorize
    /// (<c>/oauth/authorize</c>), revoke (<c>/oauth/revoke</c>), introspect (<c>/oauth/introspect</c>). Add the built-in
    /// <see cref="TokenServerProfiles"/> or your own beside them; clear the list to replace them.
    /// </summary>
    public IList<TokenServerProfile> Profiles { get; set; } =
    [
        TokenServerProfiles.Token(), TokenServerProfiles.Authorize(), TokenServerProfiles.Revoke(), TokenServerProfiles.Introspect(),
    ];

    /// <summary>The default lifetime of access tokens. Default one hour.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The lifetime of a refresh grant. Rotation hands out a new refresh token each time, but never past the
    /// first one's expiry: the grant as a whole ends after this. Default 14 days.
    /// </summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The lifetime of an authorization code: single use, and at most 60 seconds by default (RFC 6749 §4.1.2 allows up to 10 minutes).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the authorization endpoint's sign-in cookie lasts. Default 10 minutes.</summary>
    public TimeSpan LoginLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest request body read. Default 16 KiB.</summary>
    public int MaxRequestBodyLength { get; set; } = 16 * 1024;

    /// <summary>
    /// When set, access tokens are JWTs signed with these credentials (validate them with
    /// <c>TokenAuthOptions.Jwt</c>); otherwise they are opaque and saved in the <c>ITokenStore</c>. A JWT cannot be
    /// withdrawn before it expires: revocation then applies to refresh tokens only.
    /// </summary>
    public SigningCredentials? SigningCredentials { get; set; }

    /// <summary>The <c>iss</c> of issued JWTs.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> of issued JWTs.</summary>
    public string? Audience { get; set; }

    /// <summary>The clients of the default, configuration-based <see cref="IClientStore"/>.</summary>
    public IList<TokenClient> Clients { get; set; } = [];

    /// <summary>How failed authentications are slowed down and throttled.</summary>
    public FailedAuthenticationOptions FailedAuthentication { get; set; } = new();

    /// <summary>The <c>Retry-After</c> of a 503 when a store cannot be reached. Default 5 seconds.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (Profiles is null || Clients is null || FailedAuthentication is null)
        {
            throw new InvalidOperationException($"{nameof(Profiles)}, {nameof(Clients)} and {nameof(FailedAuthentication)} must not be null.");
        }

        Positive(AccessTokenLifetime, nameof(AccessTokenLifetime));
        Positive(RefreshTokenLifetime, nameof(RefreshTokenLifetime));
        if (RefreshTokenLifetime < AccessTokenLifetime)
        {
            // A refresh token is redeemed when its access token has expired; one that expires first is never of use.
            throw new InvalidOperationException($"{nameof(RefreshTokenLifetime)} ({RefreshTokenLifetime}) must be at least {nameof(AccessTokenLifetime)} ({AccessTokenLifetime}).");
        }

        Positive(LoginLifetime, nameof(LoginLifetime));
        Positive(RetryAfter, nameof(RetryAfter));
        if (AuthorizationCodeLifetime <= TimeSpan.Zero || AuthorizationCodeLifetime > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException($"{nameof(AuthorizationCodeLifetime)} must be positive and at most 10 minutes (RFC 6749 §4.1.2).");
        }

        if (MaxRequestBodyLength is < 256 or > 1024 * 1024)
        {
            throw new InvalidOperationException($"{nameof(MaxRequestBodyLength)} must be between 256 and 1048576.");
        }

        if (SigningCredentials is not null && (string.IsNullOrWhiteSpace(Issuer) || string.IsNullOrWhiteSpace(Audience)))
        {
            // RFC 9068 §2.2: an access-token JWT carries iss and aud; without them it validates nowhere sensible.
            throw new InvalidOperationException($"{nameof(SigningCredentials)} is set, so {nameof(Issuer)} and {nameof(Audience)} must be set too.");
        }

        if (SigningCredentials?.Key is SymmetricSecurityKey { KeySize: < 256 })
        {
            // RFC 7518 §3.2: an HMAC key is at least as long as the hash output; TokenAuth's JWT validation refuses shorter ones.
            throw new InvalidOperationException($"{nameof(SigningCredentials)} has a symmetric key shorter than 256 bits (RFC 7518 §3.2).");
        }

        FailedAuthentication.Validate();
        TokenServerOptionsValidator.ValidateProfiles(Profiles);
        TokenServerOptionsValidator.ValidateClients(Clients);
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{name} must be positive.");
        }
    }
}
