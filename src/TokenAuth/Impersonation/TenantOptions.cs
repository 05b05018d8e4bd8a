namespace TokenAuth;

/// <summary>
/// Tenant scoping (seed 001): <c>tenantId</c> or <c>tenantCode</c> name the tenant a request acts in.
/// Active when an <see cref="ITenantStore"/> is registered.
/// </summary>
public sealed class TenantOptions
{
    /// <summary>Whether tenant parameters are honoured at all (they also need a registered <see cref="ITenantStore"/>). Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The query parameter naming the tenant by id. Default <c>tenantId</c>.</summary>
    public string IdQueryName { get; set; } = "tenantId";

    /// <summary>The query parameter naming the tenant by code. Default <c>tenantCode</c>.</summary>
    public string CodeQueryName { get; set; } = "tenantCode";

    /// <summary>Also read headers. Default off.</summary>
    public bool Headers { get; set; }

    /// <summary>The header naming the tenant by id. Default <c>Tenant-Id</c>.</summary>
    public string IdHeaderName { get; set; } = "Tenant-Id";

    /// <summary>The header naming the tenant by code. Default <c>Tenant-Code</c>.</summary>
    public string CodeHeaderName { get; set; } = "Tenant-Code";

    /// <summary>
    /// How long a tenant the <see cref="ITenantStore"/> found is kept on this node, keyed by the id or code it was
    /// looked up by (the tenant a token is bound to included). Default 30 seconds; <see cref="TimeSpan.Zero"/> asks the
    /// store on every request. Only found tenants are kept, never "not found" or a failure.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}
