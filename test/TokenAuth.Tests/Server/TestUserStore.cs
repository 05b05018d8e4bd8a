using System.Collections.Concurrent;
using TokenAuth.Server;

namespace TokenAuth.Tests.Server;

/// <summary>Users for the authorization endpoint and the password grant: alice and bob, hashed with 1000 iterations (fast).</summary>
public sealed class TestUserStore : ITokenUserStore
{
    public const string Alice = "alice";
    public const string AlicePassword = "alice-password";
    public const string AliceId = "1001";

    private readonly ConcurrentDictionary<string, TokenUser> _users = new(StringComparer.OrdinalIgnoreCase);

    public TestUserStore()
    {
        Add(new TokenUser { Id = AliceId, UserName = Alice, DisplayName = "Alice", PasswordHashes = [ClientSecretHasher.Hash(AlicePassword, TokenServerApp.Iterations)] });
        Add(new TokenUser { Id = "1002", UserName = "bob", DisplayName = "Bob", PasswordHashes = [ClientSecretHasher.Hash("bob-password", TokenServerApp.Iterations)] });
    }

    public void Add(TokenUser user) => _users[user.UserName] = user;

    public void Remove(string userName) => _users.TryRemove(userName, out _);

    public ValueTask<TokenUser?> FindByNameAsync(string userName, CancellationToken cancellationToken)
        => ValueTask.FromResult(_users.GetValueOrDefault(userName));

    public ValueTask<TokenUser?> FindByIdAsync(string userId, CancellationToken cancellationToken)
        => ValueTask.FromResult(_users.Values.FirstOrDefault(u => u.Id == userId));
}
