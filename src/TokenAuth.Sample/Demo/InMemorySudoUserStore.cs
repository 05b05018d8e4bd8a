using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace TokenAuth.Sample.Demo;

/// <summary>
/// The sample's sudo user store: the users of the <c>Demo</c> section. uid and mobile match exactly, loginName and
/// email case-insensitively. With a tenant, only that tenant's users (and users of no tenant) match, so uid 1001 in
/// acme and uid 1001 in globex are different people. Users with the <c>admin</c> role cannot be impersonated.
/// </summary>
public sealed class InMemorySudoUserStore(IOptions<DemoOptions> options) : ISudoUserStore
{
    /// <summary>The role whose users sudo refuses to act as.</summary>
    public const string ProtectedRole = "admin";

    private readonly IReadOnlyList<DemoUser> _users = [.. options.Value.Users];

    public ValueTask<SudoUser?> FindUserAsync(SudoTarget target, TenantInfo? tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var candidates = _users.Where(u => tenant is null || u.TenantId is null || string.Equals(u.TenantId, tenant.Id, StringComparison.Ordinal));
        var match = target.Kind switch
        {
            SudoKind.Uid => candidates.Where(u => string.Equals(u.Uid, target.Value, StringComparison.Ordinal)),
            SudoKind.LoginName => candidates.Where(u => string.Equals(u.LoginName, target.Value, StringComparison.OrdinalIgnoreCase)),
            SudoKind.Email => candidates.Where(u => string.Equals(u.Email, target.Value, StringComparison.OrdinalIgnoreCase)),
            SudoKind.Mobile => candidates.Where(u => string.Equals(u.Mobile, target.Value, StringComparison.Ordinal)),
            _ => [],
        };

        // Without a tenant the same uid may name several users; prefer one of no tenant, then the first listed.
        var user = match.OrderBy(u => u.TenantId is null ? 0 : 1).FirstOrDefault();
        return ValueTask.FromResult(user is null ? null : ToSudoUser(user));
    }

    public ValueTask<bool> CanImpersonateAsync(ClaimsPrincipal caller, SudoUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return ValueTask.FromResult(!user.Roles.Contains(ProtectedRole, StringComparer.OrdinalIgnoreCase));
    }

    private static SudoUser ToSudoUser(DemoUser user) => new()
    {
        Id = user.Uid,
        LoginName = user.LoginName,
        Name = user.Name,
        Email = user.Email,
        Mobile = user.Mobile,
        TenantId = user.TenantId,
        Roles = [.. user.Roles],
    };
}
