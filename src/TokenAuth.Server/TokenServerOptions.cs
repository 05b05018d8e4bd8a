using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Server;

/// <summary>Options of the token server.</summary>
public sealed class TokenServerOptions
{
    /// <summary>The route of the RFC 6749 token endpoint. Default <c>/oauth/token</c>.</summary>
    public string TokenEndpointPath { get; set; } = "/oauth/token";

    /// <summary>The default lifetime of access tokens. Default one hour.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The lifetime of a refresh grant. Rotation hands out a new refresh token each time, but never past the
    /// first one's expiry: the grant as a whole ends after this. Default 14 days.
    /// </summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The largest token request body read. Default 16 KiB.</summary>
    public int MaxRequestBodyLength { get; set; } = 16 * 1024;

    /// <summary>
    /// When set, access tokens are JWTs signed with these credentials (validate them with
    /// <c>TokenAuthOptions.Jwt</c>); otherwise they are opaque and saved in the <c>ITokenStore</c>.
    /// </summary>
    public SigningCredentials? SigningCredentials { get; set; }

    /// <summary>The <c>iss</c> of issued JWTs.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> of issued JWTs.</summary>
    public string? Audience { get; set; }

    /// <summary>The clients of the default, configuration-based <see cref="IClientStore"/>.</summary>
    public IList<TokenClient> Clients { get; set; } = [];

    /// <summary>The <c>Retry-After</c> of a 503 when the token store cannot be written. Default 5 seconds.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (!TokenEndpointPath.StartsWith('/'))
        {
            throw new InvalidOperationException($"{nameof(TokenEndpointPath)} must start with '/'.");
        }

        if (AccessTokenLifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{nameof(AccessTokenLifetime)} must be positive.");
        }

        if (RefreshTokenLifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{nameof(RefreshTokenLifetime)} must be positive.");
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

        var duplicate = Clients.GroupBy(c => c.ClientId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"{nameof(Clients)}: client id '{duplicate.Key}' is configured more than once.");
        }

        foreach (var client in Clients)
        {
            if (string.IsNullOrWhiteSpace(client.ClientId))
            {
                throw new InvalidOperationException($"{nameof(Clients)}: a client has no {nameof(TokenClient.ClientId)}.");
            }

            if (string.IsNullOrEmpty(client.ClientSecret) && client.ClientSecretHashes.Count == 0)
            {
                throw new InvalidOperationException($"{nameof(Clients)}: client '{client.ClientId}' has no {nameof(TokenClient.ClientSecretHashes)}.");
            }
        }
    }
}
