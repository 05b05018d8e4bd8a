namespace TokenAuth;

/// <summary>The default <see cref="ITokenRevoker"/>: the store first, then the message to every node.</summary>
internal sealed class TokenRevoker(ITokenStore store, IRevocationBus bus) : ITokenRevoker
{
    public async Task RevokeAsync(TokenHash hash, CancellationToken cancellationToken = default)
    {
        await store.RemoveAsync(hash, cancellationToken);
        await bus.PublishAsync(RevocationMessage.Token(hash), cancellationToken);
    }

    public Task ForgetTenantAsync(string? tenant, CancellationToken cancellationToken = default)
        => bus.PublishAsync(new RevocationMessage(RevocationScope.Tenant, tenant), cancellationToken);

    public Task ForgetUserAsync(string? userId, CancellationToken cancellationToken = default)
        => bus.PublishAsync(new RevocationMessage(RevocationScope.User, userId), cancellationToken);
}
