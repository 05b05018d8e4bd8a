namespace TokenAuth.Server;

/// <summary>An OAuth client the token server knows: its id, its hashed secrets, what it may ask for.</summary>
public sealed class TokenClient
{
    /// <summary>The client id.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>A display name, used as the token's <c>name</c> and shown on the consent page.</summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// A plaintext secret, for development configuration only: the configuration-based store hashes it at
    /// start-up (PBKDF2) and keeps only the hash. Production configuration gives <see cref="ClientSecretHashes"/>.
    /// </summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// Hashes of the client's secrets (several while a secret is being rotated), made by
    /// <see cref="ClientSecretHasher.HashGenerated"/> (generated secrets) or <see cref="ClientSecretHasher.Hash"/>.
    /// </summary>
    public IList<string> ClientSecretHashes { get; set; } = [];

    /// <summary>
    /// A public client (RFC 6749 §2.1: a browser or native app that cannot keep a secret) has no secret, identifies
    /// itself by <c>client_id</c> alone, may only use the authorization code grant (with PKCE, always), refresh tokens
    /// and — when listed — the implicit grant. Default <see langword="false"/>.
    /// </summary>
    public bool IsPublic { get; set; }

    /// <summary>
    /// The grant types the client may use (<see cref="GrantTypes"/>). Default <c>client_credentials</c>.
    /// <c>password</c> and <c>implicit</c> are never implied: RFC 9700 says not to use them.
    /// </summary>
    public IList<string> AllowedGrantTypes { get; set; } = [];

    /// <summary>The scopes the client may be granted; a request without <c>scope</c> gets all of them.</summary>
    public IList<string> AllowedScopes { get; set; } = [];

    /// <summary>
    /// The redirect URIs of the authorization endpoint, compared as exact strings (RFC 9700 §4.1.1): absolute, no
    /// fragment. A request may leave out <c>redirect_uri</c> only when there is exactly one.
    /// </summary>
    public IList<string> RedirectUris { get; set; } = [];

    /// <summary>
    /// Whether the code grant requires PKCE (RFC 7636) for this client. Default <see langword="true"/>; public clients
    /// always require it. A confidential client whose documented flow sends no verifier (seed 003) may turn it off.
    /// A code requested with a challenge is always checked against its verifier.
    /// </summary>
    public bool RequirePkce { get; set; } = true;

    /// <summary>Whether the <c>plain</c> PKCE method is accepted (RFC 7636 §4.2); otherwise only <c>S256</c>. Default <see langword="false"/>.</summary>
    public bool AllowPlainPkce { get; set; }

    /// <summary>
    /// Whether the client may ask for a token whose subject is one of its users (seed 002's <c>userId</c> with
    /// <c>client_credentials</c>). Others get <c>unauthorized_client</c>. Default <see langword="false"/>.
    /// </summary>
    public bool CanActForUsers { get; set; }

    /// <summary>
    /// Whether the client may introspect and revoke tokens issued to any client — a resource server's right.
    /// Without it a client sees only its own tokens (RFC 7662 §4: no token scanning). Default <see langword="false"/>.
    /// </summary>
    public bool CanIntrospectAnyToken { get; set; }

    /// <summary>The lifetime of this client's access tokens; the endpoint profile's, then the server's default, when <see langword="null"/>.</summary>
    public TimeSpan? AccessTokenLifetime { get; set; }

    /// <summary>Whether the client may use <paramref name="grantType"/>.</summary>
    internal bool Allows(string grantType)
        => AllowedGrantTypes.Count == 0 ? grantType == GrantTypes.ClientCredentials : AllowedGrantTypes.Contains(grantType, StringComparer.Ordinal);

    /// <summary>A copy with these secret hashes and no plaintext secret.</summary>
    internal TokenClient WithSecretHashes(IList<string> hashes) => new()
    {
        ClientId = ClientId,
        DisplayName = DisplayName,
        ClientSecretHashes = hashes,
        IsPublic = IsPublic,
        AllowedGrantTypes = [.. AllowedGrantTypes],
        AllowedScopes = [.. AllowedScopes],
        RedirectUris = [.. RedirectUris],
        RequirePkce = RequirePkce,
        AllowPlainPkce = AllowPlainPkce,
        CanActForUsers = CanActForUsers,
        CanIntrospectAnyToken = CanIntrospectAnyToken,
        AccessTokenLifetime = AccessTokenLifetime,
    };
}
