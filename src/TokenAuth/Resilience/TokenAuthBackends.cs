namespace TokenAuth;

/// <summary>
/// The backends one scheme's handler calls, each with its own deadline and circuit: an outage of the tenant store
/// does not fail requests that name no tenant, and a down token store does not stop the others being asked.
/// </summary>
internal sealed class TokenAuthBackends(TokenAuthOptions options)
{
    /// <summary>The token store (<see cref="ITokenStore"/>), asked by <see cref="StoreTokenValidator"/>.</summary>
    public BackendGuard TokenStore { get; } = Create("token store", options);

    /// <summary>The sudo user store (<see cref="ISudoUserStore"/>).</summary>
    public BackendGuard SudoUsers { get; } = Create("sudo user store", options);

    /// <summary>The tenant store (<see cref="ITenantStore"/>).</summary>
    public BackendGuard Tenants { get; } = Create("tenant store", options);

    private static BackendGuard Create(string name, TokenAuthOptions options)
        => new(name, options.BackendTimeout, options.CircuitBreaker, options.TimeProvider ?? TimeProvider.System, options.Metrics);
}
