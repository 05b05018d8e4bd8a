namespace TokenAuth.Sample.Demo;

/// <summary>The sample's demo records: the <c>Demo</c> section of appsettings.json.</summary>
public sealed class DemoOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Demo";

    /// <summary>Users sudo may act as.</summary>
    public IList<DemoUser> Users { get; } = [];

    /// <summary>Tenants a request may be scoped to.</summary>
    public IList<DemoTenant> Tenants { get; } = [];
}

/// <summary>A demo user.</summary>
public sealed class DemoUser
{
    public string Uid { get; set; } = string.Empty;

    public string? LoginName { get; set; }

    public string? Name { get; set; }

    public string? Email { get; set; }

    public string? Mobile { get; set; }

    /// <summary>The demo password (the password and code grants); hashed at start-up by <see cref="DemoUserStore"/>.</summary>
    public string? Password { get; set; }

    /// <summary>The user's tenant, or none: a user without a tenant is found in every tenant.</summary>
    public string? TenantId { get; set; }

    public IList<string> Roles { get; } = [];
}

/// <summary>A demo tenant.</summary>
public sealed class DemoTenant
{
    public string Id { get; set; } = string.Empty;

    public string Code { get; set; } = string.Empty;

    public string? Name { get; set; }
}
