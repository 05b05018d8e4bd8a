namespace TokenAuth;

/// <summary>The claim types of principals TokenAuth builds: the JWT names (RFC 7519, RFC 8693, RFC 9068).</summary>
public static class TokenAuthClaimTypes
{
    /// <summary><c>sub</c>.</summary>
    public const string Subject = "sub";

    /// <summary><c>name</c>; the identity's <c>NameClaimType</c>.</summary>
    public const string Name = "name";

    /// <summary><c>role</c>; the identity's <c>RoleClaimType</c>.</summary>
    public const string Role = "role";

    /// <summary><c>client_id</c> (RFC 8693 §4.3).</summary>
    public const string ClientId = "client_id";

    /// <summary><c>scope</c>, one claim per scope.</summary>
    public const string Scope = "scope";

    /// <summary><c>tenant_id</c>.</summary>
    public const string TenantId = "tenant_id";

    /// <summary><c>tenant_code</c>.</summary>
    public const string TenantCode = "tenant_code";

    /// <summary><c>exp</c>, seconds since the epoch.</summary>
    public const string Expiration = "exp";

    /// <summary><c>act</c>: the actor of an impersonated principal (RFC 8693 §4.1).</summary>
    public const string Actor = "act";
}
