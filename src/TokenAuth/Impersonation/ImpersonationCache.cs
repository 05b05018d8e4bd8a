namespace TokenAuth;

/// <summary>
/// This node's cache of tenant and sudo-user lookups (<see cref="TenantOptions.CacheDuration"/>,
/// <see cref="SudoOptions.CacheDuration"/>), one per service provider, shared by the schemes. Only what a store
/// found is kept — never "not found" (a tenant or user created a moment ago must work at once) and never a failure.
/// <para>
/// Eviction: <see cref="EvictTenant"/>, <see cref="EvictUser"/> and <see cref="Clear"/>, called for the revocation
/// messages (<see cref="ITokenRevoker.ForgetTenantAsync"/>, <see cref="ITokenRevoker.ForgetUserAsync"/>, and a
/// reconnect after missed messages) that reach every node. An eviction also keeps lookups in flight at that moment from
/// adding their possibly stale answer.
/// </para>
/// </summary>
internal sealed class ImpersonationCache(TimeProvider timeProvider) : IRevocationListener
{
    /// <summary>The most entries each of the two caches holds.</summary>
    public const int Capacity = 10_000;

    private readonly LookupCache<TenantKey, TenantInfo> _tenants = new(Capacity, timeProvider);
    private readonly LookupCache<UserKey, SudoUser> _users = new(Capacity, timeProvider);

    /// <summary>The tenant cache (for the resolver and tests).</summary>
    internal LookupCache<TenantKey, TenantInfo> Tenants => _tenants;

    /// <summary>The sudo-user cache (for the resolver and tests).</summary>
    internal LookupCache<UserKey, SudoUser> Users => _users;

    /// <summary>Forgets the tenant <paramref name="tenantId"/>, however it was looked up (by id or by any code).</summary>
    /// <param name="tenantId">The tenant's id (<see cref="TenantInfo.Id"/>).</param>
    public void EvictTenant(string tenantId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        _tenants.RemoveWhere((key, tenant) => tenant.Id == tenantId || (!key.ByCode && key.Value == tenantId));
    }

    /// <summary>Forgets the user <paramref name="userId"/>, however and in whichever tenant it was looked up.</summary>
    /// <param name="userId">The user's id (<see cref="SudoUser.Id"/>). The same id in another tenant is forgotten too.</param>
    public void EvictUser(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        _users.RemoveWhere((key, user) => user.Id == userId || (key.Kind == SudoKind.Uid && key.Value == userId));
    }

    /// <summary>Forgets what a revocation message names: a tenant (by id or code), a user, all of either, or everything.</summary>
    public ValueTask OnRevokedAsync(RevocationMessage message)
    {
        switch (message.Scope)
        {
            case RevocationScope.Tenant when message.Key is { } tenant:
                _tenants.RemoveWhere((key, found) => found.Id == tenant || string.Equals(found.Code, tenant, StringComparison.OrdinalIgnoreCase) || key.Value == tenant);
                break;
            case RevocationScope.Tenant:
                _tenants.Clear();
                break;
            case RevocationScope.User when message.Key is { } userId:
                EvictUser(userId);
                break;
            case RevocationScope.User:
                _users.Clear();
                break;
            case RevocationScope.Everything:
                Clear();
                break;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Forgets every tenant and user.</summary>
    public void Clear()
    {
        _tenants.Clear();
        _users.Clear();
    }

    /// <summary>A tenant lookup: by id or by code, with the value as the request gave it.</summary>
    internal readonly record struct TenantKey(bool ByCode, string Value);

    /// <summary>A sudo lookup: the parsed target and the id of the tenant the request is scoped to.</summary>
    internal readonly record struct UserKey(SudoKind Kind, string Value, string? TenantId);
}
