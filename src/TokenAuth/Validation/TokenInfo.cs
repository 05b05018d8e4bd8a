namespace TokenAuth;

/// <summary>
/// What a validated token says: who it was issued to, for which client, with which scopes, until when.
/// Validators produce it, the token store persists it (keyed by the token's hash; in Redis in a compact binary form), and the
/// handler builds the <see cref="System.Security.Claims.ClaimsPrincipal"/> from it.
/// </summary>
public sealed record TokenInfo
{
    /// <summary>The subject (<c>sub</c>): the user, or the client itself for client-credentials tokens.</summary>
    public string? Subject { get; init; }

    /// <summary>A display name of the subject, if known.</summary>
    public string? Name { get; init; }

    /// <summary>The OAuth client the token was issued to (<c>client_id</c>).</summary>
    public string? ClientId { get; init; }

    /// <summary>The granted scopes, one entry each.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Roles of the subject, one entry each.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The tenant the token is bound to, if any (<c>tenant_id</c>).</summary>
    public string? TenantId { get; init; }

    /// <summary>When the token was issued.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>The instant before which the token must not be accepted, if any.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>
    /// The instant from which the token is no longer accepted. Checked on every request, cached or not.
    /// <see langword="null"/> means the token does not expire, which only a custom validator can produce.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Further claims carried by the token.</summary>
    public IReadOnlyList<TokenClaim> Claims { get; init; } = [];
}
