namespace TokenAuth.Server;

/// <summary>A user as the token server sees one: who they are, how they prove it, what their tokens say about them.</summary>
public sealed class TokenUser
{
    /// <summary>The id: the subject (<c>sub</c>) of the user's tokens.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The name the user signs in with (<c>preferred_username</c>, RFC 7662 <c>username</c>).</summary>
    public string UserName { get; set; } = string.Empty;

    /// <summary>A display name (<c>name</c>).</summary>
    public string? DisplayName { get; set; }

    /// <summary>Hashes of the user's password, made by <see cref="ClientSecretHasher.Hash"/> (PBKDF2). Empty: the user cannot sign in with a password.</summary>
    public IList<string> PasswordHashes { get; set; } = [];

    /// <summary>The user's roles, carried by their tokens.</summary>
    public IList<string> Roles { get; set; } = [];

    /// <summary>The tenant the user's tokens are bound to, if any.</summary>
    public string? TenantId { get; set; }
}
