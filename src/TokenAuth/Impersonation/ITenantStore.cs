namespace TokenAuth;

/// <summary>Resolves the tenants a request may be scoped to. Host-provided; register with <c>AddTokenAuthTenants&lt;T&gt;()</c>.</summary>
public interface ITenantStore
{
    /// <summary>Finds a tenant by id, or <see langword="null"/>.</summary>
    /// <param name="id">The id as the request gave it.</param>
    /// <param name="cancellationToken">Cancelled when the request is aborted.</param>
    ValueTask<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>Finds a tenant by code, or <see langword="null"/>.</summary>
    /// <param name="code">The code as the request gave it.</param>
    /// <param name="cancellationToken">Cancelled when the request is aborted.</param>
    ValueTask<TenantInfo?> FindByCodeAsync(string code, CancellationToken cancellationToken);
}
