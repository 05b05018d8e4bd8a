namespace TokenAuth.Server;

/// <summary>An OAuth client the token server knows: its id, its hashed secrets, what it may ask for.</summary>
public sealed class TokenClient
{
    /// <summary>The client id.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>A display name, used as the token's <c>name</c>.</summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// A plaintext secret, for development configuration only: the configuration-based store hashes it at
    /// start-up and keeps only the hash. Production configuration should give <see cref="ClientSecretHashes"/>.
    /// </summary>
    public string? ClientSecret { get; set; }

    /// <summary>Hashes of the client's secrets (several while a secret is being rotated), made by <see cref="ClientSecretHasher.Hash"/>.</summary>
    public IList<string> ClientSecretHashes { get; set; } = [];

    /// <summary>The grant types the client may use. Default <c>client_credentials</c>.</summary>
    public IList<string> AllowedGrantTypes { get; set; } = [];

    /// <summary>The scopes the client may be granted; a request without <c>scope</c> gets all of them.</summary>
    public IList<string> AllowedScopes { get; set; } = [];

    /// <summary>The lifetime of this client's access tokens; the server's default when <see langword="null"/>.</summary>
    public TimeSpan? AccessTokenLifetime { get; set; }
}
