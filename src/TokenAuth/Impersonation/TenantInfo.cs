namespace TokenAuth;

/// <summary>A tenant, as the <see cref="ITenantStore"/> knows it.</summary>
/// <param name="Id">The tenant id (<c>tenant_id</c>), e.g. <c>t-100</c>.</param>
/// <param name="Code">The tenant code (<c>tenant_code</c>), e.g. <c>acme</c>.</param>
/// <param name="Name">A display name.</param>
public sealed record TenantInfo(string Id, string Code, string? Name = null);
