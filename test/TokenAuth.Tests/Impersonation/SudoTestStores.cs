using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace TokenAuth.Tests.Impersonation;

/// <summary>
/// A deterministic sudo user store. uid and mobile match exactly, loginName and email case-insensitively.
/// With a tenant only that tenant's users (and users of no tenant) match. Users with the role <c>admin</c> are refused.
/// Every call is recorded, so tests can see which tenant the store was given.
/// </summary>
public sealed class TestUserStore : ISudoUserStore
{
    public static readonly IReadOnlyList<SudoUser> Users =
    [
        new()
        {
            Id = "1001", LoginName = "alice", Name = "Alice", Email = "alice@example.com", Mobile = "13800000001", TenantId = "t-100",
            Roles = ["user"], Claims = [new TokenClaim("department", "sales")],
        },
        new() { Id = "1001", LoginName = "alice.globex", Name = "Alice of Globex", Email = "alice@globex.example", TenantId = "t-200" },
        new() { Id = "1002", LoginName = "bob", Name = "Bob", Email = "bob@example.com", Mobile = "+8613800000002", TenantId = "t-200" },
        new() { Id = "7", LoginName = "carol", Email = "carol@example.com", Mobile = "13700000007" },
        new() { Id = "1", LoginName = "root", Name = "Administrator", Roles = ["admin"] },
    ];

    public ConcurrentQueue<(SudoTarget Target, TenantInfo? Tenant)> Calls { get; } = new();

    public ValueTask<SudoUser?> FindUserAsync(SudoTarget target, TenantInfo? tenant, CancellationToken cancellationToken)
    {
        Calls.Enqueue((target, tenant));
        var user = Users
            .Where(u => tenant is null || u.TenantId is null || u.TenantId == tenant.Id)
            .FirstOrDefault(u => target.Kind switch
            {
                SudoKind.Uid => u.Id == target.Value,
                SudoKind.LoginName => string.Equals(u.LoginName, target.Value, StringComparison.OrdinalIgnoreCase),
                SudoKind.Email => string.Equals(u.Email, target.Value, StringComparison.OrdinalIgnoreCase),
                _ => u.Mobile == target.Value,
            });
        return ValueTask.FromResult(user);
    }

    public ValueTask<bool> CanImpersonateAsync(ClaimsPrincipal caller, SudoUser user, CancellationToken cancellationToken)
        => ValueTask.FromResult(!user.Roles.Contains("admin"));
}

/// <summary>Two tenants: <c>t-100</c>/<c>acme</c> and <c>t-200</c>/<c>globex</c>. Codes match case-insensitively.</summary>
public sealed class TestTenantStore : ITenantStore
{
    private static readonly TenantInfo[] Tenants = [new("t-100", "acme", "Acme"), new("t-200", "globex", "Globex")];

    public ValueTask<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken)
        => ValueTask.FromResult(Tenants.FirstOrDefault(t => t.Id == id));

    public ValueTask<TenantInfo?> FindByCodeAsync(string code, CancellationToken cancellationToken)
        => ValueTask.FromResult(Tenants.FirstOrDefault(t => string.Equals(t.Code, code, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>The endpoints the sudo tests call, and what they answer.</summary>
internal static class SudoEndpoints
{
    /// <summary>Registers both test stores as singletons.</summary>
    public static void Stores(IServiceCollection services)
    {
        services.AddTokenAuthSudo<TestUserStore>(ServiceLifetime.Singleton);
        services.AddTokenAuthTenants<TestTenantStore>(ServiceLifetime.Singleton);
    }

    /// <summary><c>/whoami</c> (any token) and <c>/tenant-only</c> (<c>RequireTenant()</c>), both answering <see cref="WhoAmI"/>.</summary>
    public static void Map(WebApplication app)
    {
        app.MapGet("/whoami", Describe).RequireAuthorization();
        app.MapGet("/tenant-only", Describe).RequireAuthorization(p => p.RequireTenant());
    }

    private static IResult Describe(HttpContext context)
    {
        var user = context.User;
        var identity = (ClaimsIdentity)user.Identity!;
        var feature = context.Features.Get<ITokenAuthFeature>();
        return Results.Json(new WhoAmI(
            user.FindFirst(TokenAuthClaimTypes.Subject)?.Value,
            user.FindFirst(TokenAuthClaimTypes.Name)?.Value,
            user.FindFirst(TokenAuthClaimTypes.ClientId)?.Value,
            [.. user.FindAll(TokenAuthClaimTypes.Scope).Select(c => c.Value)],
            [.. user.FindAll(TokenAuthClaimTypes.Role).Select(c => c.Value)],
            user.FindFirst("department")?.Value,
            user.FindFirst("email")?.Value,
            identity.Actor?.FindFirst(TokenAuthClaimTypes.Subject)?.Value,
            identity.Actor?.FindFirst(TokenAuthClaimTypes.ClientId)?.Value,
            user.FindFirst(TokenAuthClaimTypes.Actor)?.Value,
            [.. user.FindAll(TokenAuthClaimTypes.TenantId).Select(c => c.Value)],
            [.. user.FindAll(TokenAuthClaimTypes.TenantCode).Select(c => c.Value)],
            feature?.Tenant?.Id,
            feature?.Tenant?.Code,
            feature?.OriginalPrincipal?.FindFirst(TokenAuthClaimTypes.Subject)?.Value));
    }
}

/// <summary>What the sudo test endpoints answer.</summary>
internal sealed record WhoAmI(
    string? Sub,
    string? Name,
    string? ClientId,
    string[] Scopes,
    string[] Roles,
    string? Department,
    string? Email,
    string? ActorSub,
    string? ActorClientId,
    string? Act,
    string[] TenantIds,
    string[] TenantCodes,
    string? FeatureTenantId,
    string? FeatureTenantCode,
    string? OriginalSub)
{
    /// <summary>The <c>act</c> claim's members, or null.</summary>
    public Dictionary<string, string?>? ActMembers() => Act is null ? null : JsonSerializer.Deserialize<Dictionary<string, string?>>(Act);
}
