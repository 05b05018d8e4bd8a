namespace TokenAuth;

/// <summary>
/// Which JWT claims fill which <see cref="TokenInfo"/> member. Each list is tried in order and the
/// first claim present wins, so standard tokens work as they are and non-standard issuers need one line,
/// e.g. <c>Subject = ["user_id"]</c>, <c>Expiration = "expiredate"</c>, <c>ExpirationUnit = Milliseconds</c>.
/// </summary>
public sealed class JwtClaimMapping
{
    /// <summary>Claims naming the subject. Default <c>sub</c>.</summary>
    public IList<string> Subject { get; set; } = ["sub"];

    /// <summary>Claims naming the display name. Default <c>name</c>, <c>preferred_username</c>.</summary>
    public IList<string> Name { get; set; } = ["name", "preferred_username"];

    /// <summary>Claims naming the client. Default <c>client_id</c>, <c>azp</c>, <c>cid</c>, <c>clientId</c>.</summary>
    public IList<string> ClientId { get; set; } = ["client_id", "azp", "cid", "clientId"];

    /// <summary>Claims holding scopes, space-separated or as an array. Default <c>scope</c>, <c>scp</c>.</summary>
    public IList<string> Scope { get; set; } = ["scope", "scp"];

    /// <summary>Claims holding roles. Default <c>roles</c>, <c>role</c>.</summary>
    public IList<string> Roles { get; set; } = ["roles", "role"];

    /// <summary>Claims naming the tenant. Default <c>tenant_id</c>, <c>tid</c>.</summary>
    public IList<string> TenantId { get; set; } = ["tenant_id", "tid"];

    /// <summary>The expiry claim. Default <c>exp</c> (RFC 7519 §4.1.4).</summary>
    public string Expiration { get; set; } = "exp";

    /// <summary>The unit of <see cref="Expiration"/>. Default seconds.</summary>
    public EpochUnit ExpirationUnit { get; set; } = EpochUnit.Seconds;
}
