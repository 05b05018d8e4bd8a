namespace TokenAuth;

/// <summary>A user a sudo request can act as, as the <see cref="ISudoUserStore"/> knows it.</summary>
public sealed class SudoUser
{
    /// <summary>The user id; becomes <c>sub</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The login name; becomes <c>preferred_username</c>.</summary>
    public string? LoginName { get; init; }

    /// <summary>The display name; becomes <c>name</c>.</summary>
    public string? Name { get; init; }

    /// <summary>The email address; becomes <c>email</c>.</summary>
    public string? Email { get; init; }

    /// <summary>The mobile number; becomes <c>phone_number</c>.</summary>
    public string? Mobile { get; init; }

    /// <summary>
    /// The user's home tenant, if any. Informational (the <c>Impersonating</c> event sees it): the principal's
    /// <c>tenant_id</c>/<c>tenant_code</c> name the tenant the request is scoped to, not this one.
    /// </summary>
    public string? TenantId { get; init; }

    /// <summary>The user's roles.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Further claims of the user.</summary>
    public IReadOnlyList<TokenClaim> Claims { get; init; } = [];
}
