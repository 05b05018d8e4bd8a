using Microsoft.Extensions.Options;
using TokenAuth.Server;

namespace TokenAuth.Sample.Demo;

/// <summary>
/// The sample's users for the password and authorization code grants (and seed 002's <c>userId</c>): the users of
/// the <c>Demo</c> section. They sign in with their login name (case-insensitive); their plaintext demo passwords are
/// hashed here at start-up (PBKDF2) and not kept. Users without a password cannot sign in.
/// </summary>
public sealed class DemoUserStore : ITokenUserStore
{
    private readonly IReadOnlyList<TokenUser> _users;

    public DemoUserStore(IOptions<DemoOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _users =
        [
            // A uid that names one person per tenant resolves, without a tenant, to the one listed first.
            .. options.Value.Users.Select(u => new TokenUser
            {
                Id = u.Uid,
                UserName = u.LoginName ?? u.Uid,
                DisplayName = u.Name,
                PasswordHashes = string.IsNullOrEmpty(u.Password) ? [] : [ClientSecretHasher.Hash(u.Password)],
                Roles = [.. u.Roles],
                TenantId = u.TenantId,
            }),
        ];
    }

    public ValueTask<TokenUser?> FindByNameAsync(string userName, CancellationToken cancellationToken)
        => ValueTask.FromResult(_users.FirstOrDefault(u => string.Equals(u.UserName, userName, StringComparison.OrdinalIgnoreCase)));

    public ValueTask<TokenUser?> FindByIdAsync(string userId, CancellationToken cancellationToken)
        => ValueTask.FromResult(_users.FirstOrDefault(u => string.Equals(u.Id, userId, StringComparison.Ordinal)));
}
