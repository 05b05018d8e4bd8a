using Microsoft.Extensions.Options;

namespace TokenAuth.Sample.Demo;

/// <summary>The sample's tenant store: the tenants of the <c>Demo</c> section. Ids match exactly, codes case-insensitively.</summary>
public sealed class InMemoryTenantStore(IOptions<DemoOptions> options) : ITenantStore
{
    private readonly IReadOnlyList<DemoTenant> _tenants = [.. options.Value.Tenants];

    public ValueTask<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken)
        => Find(t => string.Equals(t.Id, id, StringComparison.Ordinal));

    public ValueTask<TenantInfo?> FindByCodeAsync(string code, CancellationToken cancellationToken)
        => Find(t => string.Equals(t.Code, code, StringComparison.OrdinalIgnoreCase));

    private ValueTask<TenantInfo?> Find(Func<DemoTenant, bool> predicate)
        => ValueTask.FromResult(_tenants.FirstOrDefault(predicate) is { } t ? new TenantInfo(t.Id, t.Code, t.Name) : null);
}
